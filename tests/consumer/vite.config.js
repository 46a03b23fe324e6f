// The one line Vite's dev server needs (README "Bundlers"): its dependency pre-bundling
// moves wok-push's module away from its wasm; excluded, the module finds the wasm itself.
export default { optimizeDeps: { exclude: ['wok-push'] } };
