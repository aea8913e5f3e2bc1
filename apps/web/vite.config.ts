/**
 * Vite config of the web UI. `pnpm dev` (root) runs this dev server with hot reload and
 * proxies /api and /ws (WebSocket) to the backend on BACKEND_URL (default
 * http://localhost:8080). `vite build` writes dist/, which the backend serves at /.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const backend = process.env.BACKEND_URL ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/ws': { target: backend, ws: true, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // The price chart is split off (lazy) so the markets list loads without it.
    chunkSizeWarningLimit: 600,
  },
});
