/** Entry point: read the configuration, start the server, stop cleanly on SIGTERM/SIGINT. */
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from './config/app.config.js';
import { createApp } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.http.port, config.http.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  new Logger('Main').log(`listening on port ${port} (role ${config.role}, GraphQL at /graphql)`);
}

main().catch((error: unknown) => {
  // Configuration mistakes are the operator's to fix: say what is wrong, without a stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
