#!/usr/bin/env node
// Builds the npm packages of a release into OUT, ready for `npm publish OUT/<folder>`:
//
//   node npm/package.mjs platform --target TRIPLE --binary FILE --version X.Y.Z --out OUT
//     -> OUT/cli-<os>-<cpu>/: @perfbudget/cli-<os>-<cpu> with the binary, `os` and `cpu`
//   node npm/package.mjs main --version X.Y.Z --out OUT
//     -> OUT/perfbudget/: the shim package of npm/perfbudget/, its version and the versions
//        of its optionalDependencies set to X.Y.Z
//
// The release workflow (.github/workflows/release.yml) runs it on the release archives;
// tests/npm.rs runs it on a binary built here. It prints the folder it wrote.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

// Rust target -> npm's process.platform and process.arch. Linux builds are static musl, so
// no `libc` field: the one binary runs on glibc and musl systems.
export const PLATFORMS = {
  "x86_64-unknown-linux-musl": { os: "linux", cpu: "x64" },
  "aarch64-unknown-linux-musl": { os: "linux", cpu: "arm64" },
  "x86_64-apple-darwin": { os: "darwin", cpu: "x64" },
  "aarch64-apple-darwin": { os: "darwin", cpu: "arm64" },
  "x86_64-pc-windows-msvc": { os: "win32", cpu: "x64" },
};

function usage(message) {
  process.stderr.write(
    `npm/package.mjs: ${message}\n` +
      "usage: node npm/package.mjs platform --target TRIPLE --binary FILE --version X.Y.Z --out OUT\n" +
      "       node npm/package.mjs main --version X.Y.Z --out OUT\n",
  );
  process.exit(2);
}

function options(args) {
  const found = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i];
    if (!key.startsWith("--") || i + 1 >= args.length) {
      usage(`unexpected argument ${JSON.stringify(key)}`);
    }
    found[key.slice(2)] = args[i + 1];
  }
  return found;
}

function need(found, ...names) {
  for (const name of names) {
    if (!found[name]) {
      usage(`--${name} is missing`);
    }
  }
  if (!/^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/.test(found.version)) {
    usage(`--version ${JSON.stringify(found.version)} is not a version like 1.2.3`);
  }
}

const shim = JSON.parse(readFileSync(join(here, "perfbudget/package.json"), "utf8"));

// The fields every package of a release shares with the shim.
function common(version) {
  return {
    version,
    license: shim.license,
    repository: shim.repository,
  };
}

function fresh(folder) {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
}

function platformPackage(found) {
  need(found, "target", "binary", "version", "out");
  const platform = PLATFORMS[found.target];
  if (!platform) {
    usage(`--target ${found.target} is not one of ${Object.keys(PLATFORMS).join(", ")}`);
  }
  if (!existsSync(found.binary) || !statSync(found.binary).isFile()) {
    usage(`--binary ${found.binary} is not a file`);
  }
  const suffix = `${platform.os}-${platform.cpu}`;
  const name = `@perfbudget/cli-${suffix}`;
  const file = platform.os === "win32" ? "perfbudget.exe" : "perfbudget";
  const folder = join(found.out, `cli-${suffix}`);
  fresh(folder);
  copyFileSync(found.binary, join(folder, file));
  chmodSync(join(folder, file), 0o755);
  const manifest = {
    name,
    ...common(found.version),
    repository: { ...shim.repository, directory: "npm" },
    description: `The perfbudget binary for ${suffix} (${found.target}), installed by the perfbudget package`,
    os: [platform.os],
    cpu: [platform.cpu],
    files: [file],
    // Yarn Plug'n'Play keeps packages zipped; an executable must be on disk.
    preferUnplugged: true,
    publishConfig: shim.publishConfig,
  };
  writeFileSync(join(folder, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(folder, "README.md"),
    `# ${name}\n\nThe \`perfbudget\` binary for ${suffix}, built for \`${found.target}\`. Install the ` +
      "[`perfbudget`](https://www.npmjs.com/package/perfbudget) package instead: it installs this one " +
      "on this platform and runs it.\n",
  );
  return folder;
}

function mainPackage(found) {
  need(found, "version", "out");
  const folder = join(found.out, "perfbudget");
  fresh(folder);
  const manifest = { ...shim, version: found.version };
  manifest.optionalDependencies = Object.fromEntries(
    Object.keys(shim.optionalDependencies).map((name) => [name, found.version]),
  );
  writeFileSync(join(folder, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(join(folder, "bin"));
  copyFileSync(join(here, "perfbudget/bin/perfbudget.js"), join(folder, "bin/perfbudget.js"));
  chmodSync(join(folder, "bin/perfbudget.js"), 0o755);
  copyFileSync(join(here, "perfbudget/README.md"), join(folder, "README.md"));
  return folder;
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "platform") {
  process.stdout.write(`${platformPackage(options(rest))}\n`);
} else if (mode === "main") {
  process.stdout.write(`${mainPackage(options(rest))}\n`);
} else {
  usage(`the first argument is platform or main, not ${JSON.stringify(mode ?? "")}`);
}
