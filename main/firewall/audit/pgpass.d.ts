// The pgpass package (pg's own ~/.pgpass reader) ships no types; this is the one call we make.
declare module 'pgpass' {
  interface ConnectionInfo {
    host?: string | null;
    port?: number | string | null;
    database?: string | null;
    user?: string | null;
  }
  function pgpass(connInfo: ConnectionInfo, callback: (password: string | undefined) => void): void;
  export default pgpass;
}
