//! Link-preview tags (Open Graph and Twitter cards): what a chat app or a social network
//! shows when one of our links is pasted. Public cards, invite links and profiles use them.

use leptos::prelude::*;
use leptos_meta::Meta;

/// The preview's image: its absolute URL and its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewImage {
    pub url: String,
    pub alt: String,
}

#[component]
pub fn LinkPreview(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    /// `article`, `profile` or `website`.
    kind: &'static str,
    /// The page's absolute URL, when it has a canonical one.
    #[prop(optional, into)]
    url: Option<String>,
    /// A 1200×630 image (then the large-image card).
    image: Option<PreviewImage>,
) -> impl IntoView {
    let card = if image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    view! {
        <Meta name="description" content=description.clone()/>
        <Meta property="og:type" content=kind/>
        <Meta property="og:site_name" content="OneRing"/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        {url.map(|url| view! { <Meta property="og:url" content=url/> })}
        <Meta name="twitter:card" content=card/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
        {image.map(|image| view! {
            <Meta property="og:image" content=image.url.clone()/>
            <Meta property="og:image:width" content="1200"/>
            <Meta property="og:image:height" content="630"/>
            <Meta property="og:image:alt" content=image.alt/>
            <Meta name="twitter:image" content=image.url/>
        })}
    }
}
