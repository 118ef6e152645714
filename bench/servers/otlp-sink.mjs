// Case BT's collector: an OTLP/HTTP receiver that reads each export and answers 200, counting
// the exports and their bytes (GET /stats; protobuf, the gateway's default, is not decoded), so
// the gateway's exporter does its whole work and nothing more is measured. Its own process: its
// CPU is not the gateway's. Reads PORT.
import { createServer } from 'node:http';

let exports = 0;
let bytes = 0;
createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ exports, bytes }));
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    exports += 1;
    bytes += Buffer.concat(chunks).length;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
