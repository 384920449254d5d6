//! The HTML shell and the app's routes.

use leptos::lazy;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

use crate::admin::{
    AdminAuditPage, AdminEventPage, AdminEventsPage, AdminOverviewPage, AdminReconcilePage,
    AdminUserPage, AdminUsersPage,
};
use crate::analytics::{DraftInsightsPage, InsightsPage};
use crate::auth::{provide_auth, SignInPage, SignUpPage};
use crate::billing::PlanPage;
use crate::drafts::{DraftPage, DraftsPage};
use crate::invites::ReferPage;
use crate::plans::PricingPage;
use crate::publishing::{ConnectionsPage, SchedulePage};
use crate::settings::AccountPage;
use crate::sharecards::PublicCardPage;
use crate::today::{ProfilePage, TodayPage};
use crate::ui::{Footer, Header, HomePage, LazyModulePreloads, NotFound};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="min-h-screen">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_auth();
    crate::ui::flash::provide_flash();
    view! {
        <Stylesheet id="leptos" href="/pkg/onering.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Meta name="description" content="OneRing: write threads together, one post at a time."/>
        <Title text="OneRing"/>
        <Router>
            <div class="flex min-h-screen flex-col">
                <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:rounded focus:bg-white focus:px-3 focus:py-2">"Skip to content"</a>
                <Header/>
                <crate::ui::flash::FlashNotice/>
                <main id="main" class="flex-1">
                    <Routes fallback=NotFound>
                        // In order: the landing page streams, and every part arrives as plain
                        // HTML in place (out-of-order streaming needs a script to put it there).
                        <Route path=path!("/") view=HomePage ssr=SsrMode::InOrder/>
                        // Pages that may redirect render whole before answering, so the
                        // redirect is a real 302 (a streamed page has sent its status already).
                        <Route path=path!("/signup") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                        <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/drafts") view={Lazy::<DraftsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/drafts/:id") view={Lazy::<DraftRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/drafts/:id/insights") view={Lazy::<DraftInsightsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/insights") view={Lazy::<InsightsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/today") view={Lazy::<TodayRoute>::new()} ssr=SsrMode::Async/>
                        // Rendered whole so link-preview tags are in the head for crawlers.
                        <Route path=path!("/u/:handle") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async/>
                        // Rendered whole so link-preview tags are in the head for crawlers.
                        <Route path=path!("/c/:slug") view={Lazy::<PublicCardRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/pricing") view={Lazy::<PricingRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/account/plan") view={Lazy::<PlanRoute>::new()} ssr=SsrMode::Async/>
                        // Rendered whole so link-preview tags are in the head for crawlers.
                        <Route path=path!("/refer/:code") view={Lazy::<ReferRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/refer") view={Lazy::<ReferRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/account/connections") view={Lazy::<ConnectionsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/scheduled") view={Lazy::<ScheduleRoute>::new()} ssr=SsrMode::Async/>
                        // Admin pages answer 401/403 with their status, so they render whole.
                        <Route path=path!("/admin") view={Lazy::<AdminOverviewRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/users") view={Lazy::<AdminUsersRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/users/:id") view={Lazy::<AdminUserRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/billing") view={Lazy::<AdminEventsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/billing/:id") view={Lazy::<AdminEventRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/reconcile") view={Lazy::<AdminReconcileRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/audit") view={Lazy::<AdminAuditRoute>::new()} ssr=SsrMode::Async/>
                    </Routes>
                </main>
                <Footer/>
            </div>
        </Router>
    }
}

/// Pages whose code the browser loads only when they are opened (each a separate wasm
/// module with `cargo leptos build --split`): a first visit to the landing page downloads
/// none of them. Their data loads inside the page, as before; each names its modules in its
/// head ([`LazyModulePreloads`]), so a page opened directly fetches them beside the main one.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page/> <LazyModulePreloads/> }.into_any()
            }
        }
    };
}

/// Lazy pages whose code loads as one module: the first opened brings the others. wasm-split
/// puts the code lazy modules share in a file per set of modules sharing it, and a page
/// preloads every file it needs (a `<link>` in its head each): with twenty lazy modules the
/// draft page needed 213 files, 144 of them under 1 KB. Grouping pages one audience opens
/// together (the admin's, the insights) cut that to 154 at a small cost to them.
/// `$preload` is the loader `#[lazy]` names after `$load` (it exists in the browser build).
macro_rules! lazy_group {
    ($load:ident, $preload:ident, $pages:ident { $($route:ident => $page:ident),+ $(,)? }) => {
        // The variants are the routes' own names (the admin's all start with `Admin`).
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum $pages {
            $($route),+
        }

        #[lazy]
        fn $load(page: $pages) -> AnyView {
            match page {
                $($pages::$route => view! { <$page/> }.into_any()),+
            }
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_: Self) -> AnyView {
                    let page = $load($pages::$route).await;
                    view! { {page} <LazyModulePreloads/> }.into_any()
                }

                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }
        )+
    };
}

// Sign-up is the landing page's next step, not its own: its live checks of the handle, email
// and password (and the text rules they need) stay out of the first load. Sign-in stays in:
// its form is the one the other pages' forms share (lazy, that shared code splits into a
// file per set of pages using it, and the draft page's files went from 154 to 217).
lazy_page!(SignUpRoute, SignUpPage);
lazy_page!(DraftRoute, DraftPage);
lazy_page!(DraftsRoute, DraftsPage);
lazy_page!(AccountRoute, AccountPage);
lazy_page!(ReferRoute, ReferPage);
lazy_page!(PricingRoute, PricingPage);
lazy_page!(PublicCardRoute, PublicCardPage);
lazy_page!(PlanRoute, PlanPage);
lazy_page!(TodayRoute, TodayPage);
lazy_page!(ProfileRoute, ProfilePage);
lazy_page!(ConnectionsRoute, ConnectionsPage);
lazy_page!(ScheduleRoute, SchedulePage);
lazy_group!(insights_pages, __preload_insights_pages, InsightsPages {
    InsightsRoute => InsightsPage,
    DraftInsightsRoute => DraftInsightsPage,
});
lazy_group!(admin_pages, __preload_admin_pages, AdminPages {
    AdminOverviewRoute => AdminOverviewPage,
    AdminUsersRoute => AdminUsersPage,
    AdminUserRoute => AdminUserPage,
    AdminEventsRoute => AdminEventsPage,
    AdminEventRoute => AdminEventPage,
    AdminReconcileRoute => AdminReconcilePage,
    AdminAuditRoute => AdminAuditPage,
});
