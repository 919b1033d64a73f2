// The action run as a user that is not root, as a GitHub-hosted runner runs it (user `runner`,
// uid 1001, passwordless sudo): the machine's users, whether sudo lets them in without a
// password, and argv that runs as one of them. The tests themselves stay root: they build the
// network namespaces the action scans. The checkout must be readable by other users (as the
// command-line tests that run as uid 1000 already need).
import { runSync } from './exec.js';

export interface User {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The passwd entry of `name`, or undefined when there is none. */
export function findUser(name: string): User | undefined {
  const r = runSync(['getent', 'passwd', name]);
  const [, , uid, gid, , home] = r.out.trim().split(':');
  if (r.code !== 0 || uid === undefined || gid === undefined || home === undefined)
    return undefined;
  return { name, uid: Number(uid), gid: Number(gid), home };
}

/** argv that runs `argv` as `user`, with that user's groups and no others of root's. */
export function asUser(user: User, argv: string[]): string[] {
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', ...argv];
}

/** The variables a runner gives its user: its own home, and a PATH without root's folders. */
export function userEnv(user: User): Record<string, string> {
  return {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  };
}

/** Whether `sudo -n true` succeeds for `user`: passwordless sudo, what the action checks. */
export function hasPasswordlessSudo(user: User): boolean {
  return runSync(asUser(user, ['sudo', '-n', 'true'])).code === 0;
}
