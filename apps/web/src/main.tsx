import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { createGatewayClient } from './client.ts';
import { App } from './components/App.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <Provider value={createGatewayClient()}>
      <App />
    </Provider>
  </StrictMode>,
);
