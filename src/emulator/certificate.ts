/**
 * The emulator's TLS certificate: self-signed for 127.0.0.1 and localhost, generated on first start and
 * kept in the data directory, so clients trust it once (the certificate file is its own CA).
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/fsutil.js';

export interface EmulatorCertificate {
  /** PEM of the certificate; pass it to clients as `tlsOptions.ca`. */
  cert: string;
  key: string;
  /** Where the certificate is stored (for NODE_EXTRA_CA_CERTS or an SDK's `ca`). */
  caFile: string;
}

const VALID_DAYS = 825;

export async function ensureCertificate(dataDir: string): Promise<EmulatorCertificate> {
  const dir = join(dataDir, 'tls');
  const caFile = join(dir, 'emulator-ca.pem');
  const keyFile = join(dir, 'emulator-key.pem');
  if (existsSync(caFile) && existsSync(keyFile) && !expiresSoon(readFileSync(caFile, 'utf8'))) {
    return { cert: readFileSync(caFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caFile };
  }
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'provlog emulator (127.0.0.1)' }], {
    days: VALID_DAYS,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  } as never);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(keyFile, pems.private);
  chmodSync(keyFile, 0o600);
  writeFileAtomic(caFile, pems.cert);
  return { cert: pems.cert, key: pems.private, caFile };
}

function expiresSoon(pem: string): boolean {
  try {
    const cert = new X509Certificate(pem);
    return Date.parse(cert.validTo) - Date.now() < 7 * 86_400_000;
  } catch {
    return true;
  }
}
