import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { createGatewayClient } from './client.ts';
import { App } from './components/App.tsx';
import { ConnectionContext } from './connection.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const { client, connection } = createGatewayClient();
createRoot(root).render(
  <StrictMode>
    <Provider value={client}>
      <ConnectionContext.Provider value={connection}>
        <App />
      </ConnectionContext.Provider>
    </Provider>
  </StrictMode>,
);
