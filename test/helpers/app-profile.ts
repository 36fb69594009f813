/** A credentials file with one OAuth profile `demo` for an application installed on an emulator. */
import { writeCredentialsFile } from '../../src/client/credentials-file.ts';

export interface InstalledApp {
  accessToken: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  serverEndpoint: string;
}

export function writeAppProfile(file: string, domain: string, app: InstalledApp): void {
  writeCredentialsFile(file, {
    version: 1,
    portals: {
      demo: {
        domain,
        authMode: 'oauth',
        accessToken: app.accessToken,
        refreshToken: app.refreshToken,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        serverEndpoint: app.serverEndpoint,
      },
    },
  });
}
