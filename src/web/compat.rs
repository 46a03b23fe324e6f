//! WoK compatibility notes. The drop-in itself is `installWokCompat` in [`super::api`]: it
//! binds the manager's `addNotificationListener` and `open` methods onto the `wok` object,
//! so no closure is created or leaked for it.
//!
//! Differences from the stock `wok.main.js` (all deliberate):
//! - removing a listener that is already gone removes nothing (stock `splice(-1, 1)` removed
//!   the last listener);
//! - the socket reconnects, falls back to polling, and listeners are called again after a gap;
//! - one socket per page, whatever number of copies of the code are loaded.
