/**
 * Vite: `npm run build -w web` writes web/dist, which the server serves at `/`. `npm run dev -w web`
 * serves the app with hot reload and forwards the API (HTTP and WebSocket) to a server on :3000.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.CHAT_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  build: { target: 'es2022', sourcemap: true },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true },
      '/files': api,
      '/conversations': api,
    },
  },
});
