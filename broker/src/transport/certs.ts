/**
 * Reads a listener's certificate files and checks they make a TLS context, so that a wrong path
 * or a key that does not match its certificate is a config error naming the field and the file
 * when the central starts, not a stack trace (or a failure at the first client's handshake).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { CentralConfigError } from '../config.ts';

export interface CertFiles {
  /** PEM certificate (chain) of the server. */
  cert: string;
  /** PEM private key of that certificate. */
  key: string;
  /** PEM of intermediate CA certificates sent with the server's certificate. */
  ca?: string | undefined;
}

/** `field` is where the files are in central.yaml, e.g. `tls` or `websocket.tls`. */
export function readCerts(files: CertFiles, field: string): SecureContextOptions {
  const issues: { path: string; message: string }[] = [];
  const read = (name: keyof CertFiles): Buffer | undefined => {
    const file = files[name];
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied (the central runs as a user that cannot read it)' : (err as Error).message;
      issues.push({ path: `${field}.${name}`, message: `cannot read ${file}: ${why}` });
      return undefined;
    }
  };
  const options = { cert: read('cert'), key: read('key'), ca: read('ca') };
  if (issues.length > 0) throw new CentralConfigError('CONFIG_INVALID', issues);
  try {
    createSecureContext(options);
  } catch (err) {
    const message = `${files.cert} and ${files.key} do not make a TLS certificate (PEM files, the key matching the certificate): ${(err as Error).message}`;
    throw new CentralConfigError('CONFIG_INVALID', [{ path: `${field}.cert`, message }]);
  }
  return options;
}
