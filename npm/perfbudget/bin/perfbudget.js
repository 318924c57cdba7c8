#!/usr/bin/env node
// The `perfbudget` command of the npm package: runs the binary of the platform package that
// npm installed beside this one (an optionalDependency with os and cpu fields), with the
// same arguments, standard streams and exit code. No install script downloads anything.
"use strict";

const { spawnSync } = require("node:child_process");
const { constants } = require("node:os");

// process.platform-process.arch -> the package that carries the binary. The Linux binaries
// are static musl builds, so one package serves glibc and musl systems alike.
const PACKAGES = {
  "darwin-arm64": "@perfbudget/cli-darwin-arm64",
  "darwin-x64": "@perfbudget/cli-darwin-x64",
  "linux-arm64": "@perfbudget/cli-linux-arm64",
  "linux-x64": "@perfbudget/cli-linux-x64",
  "win32-x64": "@perfbudget/cli-win32-x64",
};

// perfbudget's own exit code for "the run cannot be trusted".
const CANNOT_RUN = 2;

function fail(message) {
  process.stderr.write(`perfbudget: ${message}\n`);
  process.exit(CANNOT_RUN);
}

function binary() {
  const override = process.env.PERFBUDGET_BINARY;
  if (override) {
    return override;
  }
  const platform = `${process.platform}-${process.arch}`;
  const name = PACKAGES[platform];
  if (!name) {
    fail(
      `no prebuilt binary for ${platform} (there are: ${Object.keys(PACKAGES).join(", ")}); ` +
        "build one with `cargo install --locked --git https://github.com/perfbudget/perfbudget` " +
        "and set PERFBUDGET_BINARY to its path",
    );
  }
  const file = process.platform === "win32" ? "perfbudget.exe" : "perfbudget";
  try {
    return require.resolve(`${name}/${file}`);
  } catch {
    fail(
      `the package ${name}, which holds the binary for ${platform}, is not installed. ` +
        "npm leaves out the optional dependency of this platform when the lockfile was made " +
        "on another one (npm bug https://github.com/npm/cli/issues/4828), and so do " +
        "--omit=optional and --no-optional. Delete package-lock.json and node_modules and run " +
        `npm install again, or add ${name} to your dependencies, or set PERFBUDGET_BINARY to a ` +
        "perfbudget binary.",
    );
  }
}

const path = binary();
const result = spawnSync(path, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
if (result.error) {
  const origin = process.env.PERFBUDGET_BINARY ? " (PERFBUDGET_BINARY)" : "";
  fail(`could not run ${path}${origin}: ${result.error.message}`);
}
if (result.signal) {
  // A shell's code for "killed by that signal".
  process.exit(128 + (constants.signals[result.signal] ?? 0));
}
process.exit(result.status ?? CANNOT_RUN);
