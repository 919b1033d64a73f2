export const id = 387;
export const ids = [387];
export const modules = {

/***/ 7387:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DebCache: () => (/* binding */ DebCache),
  installedPackages: () => (/* binding */ installedPackages)
});

// UNUSED EXPORTS: debFileName, imageOf, parseStanzas

// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 325 modules
var cache = __webpack_require__(8110);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./lib/base/errors.js
var errors = __webpack_require__(7594);
// EXTERNAL MODULE: ./lib/base/files.js
var files = __webpack_require__(378);
;// CONCATENATED MODULE: ./lib/github/cache-calls.js
// Calls to the GitHub Actions results service: the cache (@actions/cache), for every store kept in
// it (nmap's packages, the last state and the history), and the workflow artifacts
// (@actions/artifact, artifact.ts), which the runner serves from the same ACTIONS_RESULTS_URL. Each
// call ends within its deadline, whatever the client's own retries would do, and a service that let
// one call run out of time is not asked again in this run (one process runs one job): a hung
// service costs one deadline, not one per store.


class Deadline extends Error {
}
/** Whether the cache service let a call run out of time earlier in this run. */
const service = { hung: false };
/** The cache client's own timeouts, set to the deadline. */
const callOptions = (timeoutMs) => ({
    timeoutInMs: timeoutMs,
    segmentTimeoutInMs: timeoutMs,
});
/** Why a call failed, for the log; a deadline marks the service as not answering. */
function whyNoAnswer(error, timeoutMs, what = 'the Actions cache service') {
    if (!(error instanceof Deadline))
        return (0,errors/* getErrorMessage */.u1)(error);
    service.hung = true;
    return `${what} gave no answer within ${timeoutMs / 1000} s`;
}
/**
 * `work` within `ms`. The cache and artifact clients retry on its own (five attempts, three-minute sockets)
 * and takes no signal: past the deadline its promise is left behind, its outcome ignored; the
 * action's entry point ends the process when the run is over, so a hung socket cannot hold it.
 */
function cacheCall(ms, work) {
    work.catch(() => undefined);
    return (0,files/* within */.ux)(work, ms, () => new Deadline());
}

// EXTERNAL MODULE: ./lib/base/process.js + 1 modules
var base_process = __webpack_require__(6146);
// EXTERNAL MODULE: ./lib/base/markdown.js
var markdown = __webpack_require__(4536);
// EXTERNAL MODULE: ./lib/nmap/command.js
var command = __webpack_require__(2641);
;// CONCATENATED MODULE: ./lib/nmap/debs.js
// nmap's Debian packages kept in the GitHub Actions cache, so that a hosted runner without nmap has
// it in seconds rather than after an apt-get install. An entry holds the .deb files apt-get had to
// install for nmap (nmap and the dependencies the runner lacked), under a key naming the runner image,
// the architecture, nmap's version and a digest of the files; the newest entry for the image and
// architecture is restored. An entry is untrusted input that would run as root (any job of the
// repository can save one under the key), so each file must be the package its name says, at the
// version the runner's package index offers now, with the SHA-256 that index gives it (the index apt
// verified against the distribution's signing keys); one that does not is discarded with a warning
// and nothing from the entry is installed. Every cache call ends within its deadline (cache-calls.ts).








/** More files than nmap and its dependencies ever need: such an entry is not read file by file. */
const MAX_FILES = 100;
/** Package names, versions and architectures as Debian allows them (no `_`, no leading `-`). */
const DEB_FILE = /^([a-z0-9][a-z0-9+.-]*)_([A-Za-z0-9.+~%-]+)_([a-z0-9-]+)\.deb$/;
/** apt's name for a package file: `name_version_arch.deb`, the epoch's `:` written `%3a`. */
const debFileName = (name, version, arch) => `${name}_${version.replace(/:/g, '%3a')}_${arch}.deb`;
/** A file name from an entry, quoted and on one line: it is untrusted. */
const shown = (text) => JSON.stringify((0,markdown/* oneLine */.TN)(text, 200));
const quick = (argv) => (0,base_process/* runProcess */.R)(argv, { env: process.env, deadline: Date.now() + command/* QUICK_CALL_MS */.eT });
/** `Field: value` stanzas (apt-cache show, dpkg-deb -f), blank lines between them. */
function parseStanzas(text) {
    return text
        .split(/\n\s*\n/)
        .map((block) => {
        const fields = {};
        for (const m of block.matchAll(/^([A-Za-z0-9-]+):[ \t]*(.*)$/gm))
            fields[m[1] ?? ''] = (m[2] ?? '').trim();
        return fields;
    })
        .filter((f) => Object.keys(f).length > 0);
}
/** The runner image: ImageOS and ImageVersion on a GitHub-hosted runner, else /etc/os-release. */
async function imageOf(env) {
    let image = env['ImageOS'] && env['ImageVersion'] ? `${env['ImageOS']}-${env['ImageVersion']}` : '';
    if (!image) {
        const release = await (0,promises_.readFile)('/etc/os-release', 'utf8').catch(() => '');
        const field = (name) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(release)?.[1] ?? '';
        image = `${field('ID') || 'linux'}-${field('VERSION_ID') || 'unknown'}`;
    }
    // A key holds no comma, and this one stays readable.
    return image.replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 100);
}
/** Installed packages, `name:arch` -> version, as dpkg lists them. */
async function installedPackages() {
    const out = await quick([
        'dpkg-query',
        '-W',
        '-f',
        '${db:Status-Abbrev} ${Package}:${Architecture} ${Version}\n',
    ]);
    const installed = new Map();
    for (const m of out.stdout.matchAll(/^ii\s+(\S+)\s+(\S+)$/gm))
        installed.set(m[1] ?? '', m[2] ?? '');
    return installed;
}
async function sha256Of(path) {
    return (0,external_node_crypto_.createHash)('sha256')
        .update(await (0,promises_.readFile)(path))
        .digest('hex');
}
/** The index's candidate of each `name:arch`: its version and SHA-256. */
async function candidates(ids) {
    const out = await quick(['apt-cache', 'show', '--no-all-versions', ...ids]);
    const found = new Map();
    for (const s of parseStanzas(out.stdout)) {
        const id = `${s['Package']}:${s['Architecture']}`;
        if (s['Version'] && s['SHA256'] && !found.has(id))
            found.set(id, { version: s['Version'], sha256: s['SHA256'].toLowerCase() });
    }
    return found;
}
/** What a file of an entry claims to be, by its name, when its control fields say the same. */
async function claimOf(dir, file) {
    const path = (0,external_node_path_.join)(dir, file);
    const m = DEB_FILE.exec(file);
    if (!m || !(await (0,promises_.lstat)(path)).isFile())
        return 'not a Debian package file';
    const claim = {
        path,
        name: m[1] ?? '',
        version: (m[2] ?? '').replace(/%3a/gi, ':'),
        arch: m[3] ?? '',
    };
    // Read without sudo: the file is not trusted yet.
    const out = await quick(['dpkg-deb', '-f', path, 'Package', 'Version', 'Architecture']);
    if (out.code !== 0)
        return 'not a readable Debian package';
    const f = parseStanzas(out.stdout)[0] ?? {};
    if (f['Package'] !== claim.name ||
        f['Version'] !== claim.version ||
        f['Architecture'] !== claim.arch)
        return `holds ${(0,markdown/* oneLine */.TN)(`${f['Package']} ${f['Version']} ${f['Architecture']}`, 120)}, not the package its name says`;
    return claim;
}
/** Each file of the entry against its name, then against the runner's package index. */
async function check(dir) {
    const files = (await (0,promises_.readdir)(dir)).sort();
    const result = { debs: [], refused: [], stale: [], noIndex: false };
    if (files.length > MAX_FILES) {
        result.refused.push(`${files.length} files, more than nmap ever needs`);
        return result;
    }
    const claims = [];
    for (const file of files) {
        const claim = await claimOf(dir, file);
        if (typeof claim === 'string')
            result.refused.push(`${shown(file)}: ${claim}`);
        else
            claims.push(claim);
    }
    const index = claims.length
        ? await candidates(claims.map((c) => `${c.name}:${c.arch}`))
        : new Map();
    result.noIndex = claims.length > 0 && index.size === 0;
    if (result.noIndex)
        return result;
    for (const c of claims) {
        const file = shown(debFileName(c.name, c.version, c.arch));
        const known = index.get(`${c.name}:${c.arch}`);
        if (!known)
            result.refused.push(`${file}: ${c.name} (${c.arch}) is not in the runner's package index`);
        else if (known.version !== c.version)
            result.stale.push(`${c.name} ${c.version} (the index has ${known.version})`);
        else if (known.sha256 !== (await sha256Of(c.path)))
            result.refused.push(`${file}: its SHA-256 is not the one the runner's package index gives ${c.name} ${c.version}`);
        else
            result.debs.push(c);
    }
    return result;
}
/**
 * nmap's packages in the Actions cache, for one runner image and architecture. Restored entries are
 * verified before anything in them is installed; after an apt-get install, the packages it
 * installed are saved under a new key.
 */
class DebCache {
    options;
    log;
    dir;
    prefix;
    constructor(options, log, image, arch) {
        this.options = options;
        this.log = log;
        // The path is part of the cache's version: it must be the same in every run.
        this.dir = (0,external_node_path_.join)(options.runnerTemp, 'port-drift-nmap');
        this.prefix = `port-drift-nmap-v1-${image}-${arch}-`;
    }
    /** The cache for this runner; undefined where there is no cache service (a local run). */
    static async open(options, log) {
        if (!cache/* isFeatureAvailable */.w3()) {
            log.info('No GitHub Actions cache here (not on a GitHub runner): nmap is installed with apt-get.');
            return undefined;
        }
        const arch = (await quick(['dpkg', '--print-architecture'])).stdout.trim();
        if (!/^[a-z0-9-]+$/.test(arch)) {
            log.info('dpkg did not name this runner’s architecture: nmap is installed with apt-get.');
            return undefined;
        }
        return new DebCache(options, log, await imageOf(process.env), arch);
    }
    /** The newest entry for this image and architecture, checked file by file. */
    async restore() {
        const { timeoutMs } = this.options;
        if (service.hung) {
            this.log.info('The Actions cache service did not answer earlier in this run: nmap is installed with apt-get.');
            return undefined;
        }
        let key;
        try {
            await (0,promises_.rm)(this.dir, { recursive: true, force: true });
            await (0,promises_.mkdir)(this.dir, { recursive: true });
            key = await cacheCall(timeoutMs, cache/* restoreCache */.P3([this.dir], this.prefix, [this.prefix], callOptions(timeoutMs)));
        }
        catch (error) {
            this.log.warning(`nmap's packages were not restored from the Actions cache: ${whyNoAnswer(error, timeoutMs)}. nmap is installed with apt-get.`);
            return undefined;
        }
        if (!key) {
            this.log.info(`No entry ${this.prefix}… in the Actions cache: nmap is installed with apt-get.`);
            return undefined;
        }
        return this.verify((0,markdown/* oneLine */.TN)(key, 600));
    }
    /** The entry's packages when every file verified and nmap is among them; else the reasons, logged. */
    async verify(key) {
        const { debs, refused, stale, noIndex } = await check(this.dir);
        if (noIndex) {
            this.log.info(`The runner's package index lists none of the packages of the Actions cache entry ${key}: they cannot be verified, and nmap is installed with apt-get.`);
            return { key, noIndex };
        }
        for (const why of refused)
            this.log.warning(`The Actions cache entry ${key} holds a package that does not verify, discarded: ${why}. Nothing from this entry is installed: nmap is installed with apt-get. port-drift never saves such a file: if this repeats, find the job of this repository that does (gh cache delete ${key} removes the entry).`);
        if (refused.length > 0)
            return { key };
        if (stale.length > 0) {
            this.log.info(`The Actions cache entry ${key} is older than the runner's package index (${stale.join(', ')}): nmap is installed with apt-get.`);
            return { key };
        }
        if (!debs.some((d) => d.name === 'nmap')) {
            this.log.warning(`The Actions cache entry ${key} holds no nmap package, so nothing from it is installed: nmap is installed with apt-get.`);
            return { key };
        }
        return { key, debs };
    }
    /**
     * Keeps the packages apt-get installed (what is installed now and was not `before`) under a key of
     * their digest and the time: the newest entry is what the next run restores, so one that replaced
     * an entry that did not verify is the one used from then on. Returns the key saved under.
     */
    async save(before) {
        const { timeoutMs } = this.options;
        if (service.hung)
            return undefined;
        try {
            const added = [...(await installedPackages())].filter(([id, v]) => before.get(id) !== v);
            const nmap = added.find(([id]) => id.startsWith('nmap:'))?.[1];
            const files = nmap ? await this.collect(added) : undefined;
            if (!nmap || !files)
                return undefined;
            const digest = (0,external_node_crypto_.createHash)('sha256');
            for (const f of files)
                digest.update(`${f} ${await sha256Of((0,external_node_path_.join)(this.dir, f))}\n`);
            const key = `${this.prefix}${nmap}-${digest.digest('hex').slice(0, 12)}-${Date.now().toString(36)}`;
            const id = await cacheCall(timeoutMs, cache/* saveCache */.Io([this.dir], key));
            if (id === -1) {
                this.log.info(`nmap's packages were not kept in the Actions cache: it did not take ${key}.`);
                return undefined;
            }
            this.log.info(`Kept nmap's ${files.length} packages in the Actions cache as ${key}, for the next run.`);
            return key;
        }
        catch (error) {
            this.log.warning(`nmap's packages were not kept in the Actions cache: ${whyNoAnswer(error, timeoutMs)}.`);
            return undefined;
        }
    }
    /** Copies the package files apt-get left in its archives into the cache's folder. */
    async collect(added) {
        const out = await quick(['apt-config', 'shell', 'A', 'Dir::Cache::archives/d']);
        const archives = /^A='(.+)'$/m.exec(out.stdout)?.[1] ?? '/var/cache/apt/archives/';
        await (0,promises_.rm)(this.dir, { recursive: true, force: true });
        await (0,promises_.mkdir)(this.dir, { recursive: true });
        const files = [];
        for (const [id, version] of added) {
            const [name = '', arch = ''] = id.split(':');
            const file = debFileName(name, version, arch);
            try {
                await (0,promises_.copyFile)((0,external_node_path_.join)(archives, file), (0,external_node_path_.join)(this.dir, file));
            }
            catch {
                this.log.info(`apt-get left no ${file} in ${archives}: nmap's packages are not kept in the Actions cache.`);
                return undefined;
            }
            files.push(file);
        }
        return files.sort();
    }
}


/***/ })

};
