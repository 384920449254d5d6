//! Class lists shared by the app's cards and buttons.

pub const CARD: &str = "rounded-2xl border border-stone-200 bg-white p-5 shadow-sm";
pub const QUIET_BUTTON: &str = "tap rounded-lg border border-stone-300 px-3 py-1.5 text-sm font-medium hover:bg-stone-50 disabled:opacity-50";
