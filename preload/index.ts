import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANGE_EVENT, CHANNELS, type ChangeTopic, type FirewallApi } from './contract.js';

// One named function per contract method; the page never gets ipcRenderer itself, so a
// script injected into it could only call what the dashboard can already do.
const invoke = (channel: string, arg?: unknown) => ipcRenderer.invoke(channel, arg);

const api: FirewallApi = {
  overview: () => invoke(CHANNELS.overview),
  activity: (query) => invoke(CHANNELS.activity, query),
  approvals: () => invoke(CHANNELS.approvals),
  answerApproval: (answer) => invoke(CHANNELS.answerApproval, answer),
  approvalArguments: (args) => invoke(CHANNELS.approvalArguments, args),
  servers: () => invoke(CHANNELS.servers),
  protect: (selector) => invoke(CHANNELS.protect, selector),
  unprotect: (selector) => invoke(CHANNELS.unprotect, selector),
  registry: () => invoke(CHANNELS.registry),
  approveServer: (args) => invoke(CHANNELS.approveServer, args),
  setServerEnabled: (args) => invoke(CHANNELS.setServerEnabled, args),
  policy: () => invoke(CHANNELS.policy),
  checkPolicy: (args) => invoke(CHANNELS.checkPolicy, args),
  savePolicy: (args) => invoke(CHANNELS.savePolicy, args),
  setEmergency: (args) => invoke(CHANNELS.setEmergency, args),
  auditQuery: (args) => invoke(CHANNELS.auditQuery, args),
  manifests: () => invoke(CHANNELS.manifests),
  manifestDiff: (args) => invoke(CHANNELS.manifestDiff, args),
  acceptPins: (args) => invoke(CHANNELS.acceptPins, args),
  keepBlocked: (args) => invoke(CHANNELS.keepBlocked, args),
  setDeployWindow: (args) => invoke(CHANNELS.setDeployWindow, args),
  quarantine: () => invoke(CHANNELS.quarantine),
  quarantinePreview: (args) => invoke(CHANNELS.quarantinePreview, args),
  releaseQuarantined: (args) => invoke(CHANNELS.releaseQuarantined, args),
  dropQuarantined: (args) => invoke(CHANNELS.dropQuarantined, args),
  gates: () => invoke(CHANNELS.gates),
  setPause: (args) => invoke(CHANNELS.setPause, args),
  autoProtect: () => invoke(CHANNELS.autoProtect),
  setAutoProtect: (args) => invoke(CHANNELS.setAutoProtect, args),
  oauthLogins: () => invoke(CHANNELS.oauthLogins),
  startOAuthLogin: (args) => invoke(CHANNELS.startOAuthLogin, args),
  oauthLogout: (args) => invoke(CHANNELS.oauthLogout, args),
  onChange(listener) {
    const handler = (_event: IpcRendererEvent, topic: ChangeTopic) => listener(topic);
    ipcRenderer.on(CHANGE_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(CHANGE_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('mcpFirewall', api);
