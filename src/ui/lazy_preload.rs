//! Preload hints for the wasm a lazy page needs, in its head, on every response.
//!
//! Leptos 0.8 adds these itself after the render, but reads its contexts there without the
//! render's owner, so whether a response gets them depends on which thread polls it (measured:
//! about one in four did; "tried to use a leptos_meta component without ServerMetaContext"
//! in the log). A page without them loads its modules only after the main wasm asks, one
//! round trip later. So each lazy page renders this inside its own render: it takes the lazy
//! functions the render registered (leaving none for Leptos's own pass, which then adds
//! nothing) and names their modules from the build's split manifest.

use leptos::prelude::*;

/// Registers the hints for the lazy modules this render has used so far with the page's
/// head (as Leptos does: a head component's `to_html` registers it); renders nothing, here
/// or in the browser, which already has them in the head it hydrates.
#[component]
pub fn LazyModulePreloads() -> impl IntoView {
    #[cfg(feature = "ssr")]
    register_hints();
}

#[cfg(feature = "ssr")]
fn register_hints() -> Option<()> {
    use leptos_meta::Link;

    let used: Vec<&'static str> = use_context::<leptos::PrefetchLazyFn>()?
        .0
        .try_update_value(std::mem::take)?
        .into_iter()
        .collect();
    let manifest = use_context::<leptos::WasmSplitManifest>()?;
    let (pkg_path, modules, split_js) = manifest.0.try_with_value(|(pkg, by_fn, js)| {
        let mut modules: Vec<String> = used
            .iter()
            .flat_map(|used| by_fn.get(*used).into_iter().flatten())
            .cloned()
            .collect();
        // The same order on every response, whatever the set's.
        modules.sort();
        modules.dedup();
        (pkg.clone(), modules, js.clone())
    })?;
    if modules.is_empty() {
        return None;
    }
    // As Leptos writes them: `crossorigin` set (anonymous), as the loader's fetch expects.
    let nonce = use_nonce().map(|n| n.to_string()).unwrap_or_default();
    for module in modules {
        let _ = view! {
            <Link
                rel="preload"
                href=format!("{pkg_path}/{module}.wasm")
                as_="fetch"
                type_="application/wasm"
                crossorigin=nonce.clone()
            />
        }
        .to_html();
    }
    let _ = view! {
        <Link rel="modulepreload" href=format!("{pkg_path}/{split_js}") crossorigin=nonce/>
    }
    .to_html();
    Some(())
}
