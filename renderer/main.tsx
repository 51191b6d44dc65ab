import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext, resolveApi } from './api/api.js';
import { App } from './app.js';
import './styles.css';

const api = resolveApi();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiContext.Provider value={api}>
      <App />
    </ApiContext.Provider>
  </StrictMode>,
);
