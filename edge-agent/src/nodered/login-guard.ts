/**
 * The middleware in front of Node-RED's log-in (POST /auth/token): the per-address limits of
 * login-limit.ts, and the password checked here first, so that only right passwords reach
 * Node-RED (whose own counter would lock an account for the whole room after six wrong ones).
 * A wrong password is answered as Node-RED answers it (403 invalid_grant); a refused attempt 429
 * with Retry-After and a message in Vietnamese and English. Both go to the agent's log with the
 * address. The editor's log-in dialog says "Login failed" for both.
 */
import type { Logger } from '../core/log.ts';
import type { StoredAccount } from './accounts.ts';
import { bilingual } from './errors.ts';
import type { LoginLimiter } from './login-limit.ts';
import type { Bcrypt, Express, ExpressApp, Request, Response } from './red.ts';

export interface LoginGuardOptions {
  limiter: LoginLimiter;
  users: (username: string) => Promise<StoredAccount | null>;
  bcrypt: Bcrypt;
  log: Logger;
}

// Compared when the account does not exist, so an unknown name costs what a known one does
// (a bcrypt hash of a random string at the accounts' cost).
const UNKNOWN = '$2b$10$ewnTh3nFy7ld6MbdaWPYa.cC3BCtJmARm.YaneXBe0vRFzPv1CkLK';

export function loginGuard(express: Express, options: LoginGuardOptions): ExpressApp {
  const { limiter, users, bcrypt, log } = options;
  const router = express.Router();
  // The editor posts its log-in as a form, tools as JSON: the parsers Node-RED itself uses.
  router.post('/auth/token', express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }), (req: Request, res: Response, next: (err?: unknown) => void) => {
    const body = (req.body ?? {}) as { grant_type?: unknown; username?: unknown; password?: unknown };
    // Anything but a password log-in is Node-RED's to answer (and refuse).
    if (body.grant_type !== 'password' || typeof body.username !== 'string' || typeof body.password !== 'string') return next();
    const username = body.username;
    const password = body.password;
    const address = req.socket.remoteAddress ?? 'unknown';
    const refused = limiter.begin(address, username);
    if (refused) {
      const minutes = Math.max(1, Math.ceil(refused.retryAfterMs / 60_000));
      log.warn({ audit: { event: 'auth.login.fail.too-many-attempts', username, address, why: refused.why } }, 'log-in refused: too many attempts');
      res.setHeader('Retry-After', String(Math.ceil(refused.retryAfterMs / 1000)));
      res.status(429).json({
        error: 'too_many_attempts',
        code: 'LOGIN_LOCKED',
        message: bilingual(
          `Đã thử đăng nhập sai quá nhiều lần từ máy này: chờ ${minutes} phút rồi thử lại, hoặc nhờ thầy cô`,
          `Too many log-in attempts from this computer: wait ${minutes} min and try again, or ask the teacher`,
        ),
      });
      return;
    }
    void (async () => {
      const account = await users(username);
      const right = await bcrypt.compare(password, account?.password ?? UNKNOWN);
      if (account && right) {
        limiter.succeeded(address, username);
        return next();
      }
      log.info({ audit: { event: 'auth.login.fail.credentials', username, address } }, 'log-in failed: wrong user name or password');
      res.status(403).json({ error: 'invalid_grant', error_description: bilingual('Sai tên đăng nhập hoặc mật khẩu', 'Wrong user name or password') });
    })().catch(next);
  });
  return router;
}
