// The wasm-opt optimisation of the shipped wasm, shared by the build (scripts/build.mjs,
// which adds the stripping and renaming) and the bench (bench/run.mjs, which keeps the names
// for twiggy), so "where the bytes go" is measured on the same code the package ships.
// Never Debian's binaryen: its -Oz output fails to instantiate (see TOOLCHAIN.md).
export const WASM_OPT_ARGS = [
  '-Oz',
  // What Rust's wasm32 target emits by default.
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
  // Rust lays the stack out first (64 KiB, set by scripts/build.mjs; the data starts after it),
  // so the first 1 KB of memory is only reached by a stack already overflowed: binaryen may
  // fold it.
  '--low-memory-unused',
];
