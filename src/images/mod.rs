//! Images drawn on the server: the renderer (`render`), a bounded cache, and the answers
//! that serve them. Used by share cards, invite links and personal cards.
//!
//! Every image has a versioned address: its last path segment is a hash of what it shows
//! (`<version>.png`), so a changed card gets a new address and every address can be cached
//! for good (`Cache-Control: …, max-age=31536000, immutable` and an `ETag`). Rendered images
//! are kept in a bounded memory cache, so a link pasted in a busy channel costs one render.
//! Rendering runs on the blocking pool, at most two at a time, never on the async runtime.
//! An address whose version is no longer the card's (the card changed) is answered with the
//! cached image if it is still in memory, else a redirect to the current version.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION};
use http::{HeaderMap, HeaderValue, StatusCode};
use sha2::{Digest, Sha256};
use tokio::sync::{OnceCell, Semaphore};

pub mod render;

use render::Renderer;

use crate::error::AppError;

/// Images kept in memory (a card is 50–150 KB).
const CACHE_IMAGES: usize = 256;
/// Renders at once (each takes a core for ~20 ms).
const RENDERS_AT_ONCE: usize = 2;

/// The renderer (fonts loaded on first use, or at start-up) and the image cache.
pub struct Images {
    font_dirs: Vec<PathBuf>,
    renderer: OnceCell<Arc<Renderer>>,
    renders: Semaphore,
    cache: Mutex<Cache>,
}

/// Rendered images by key, and the keys oldest first (the first to go when full).
#[derive(Default)]
struct Cache {
    images: HashMap<String, Arc<Vec<u8>>>,
    order: VecDeque<String>,
}

impl std::fmt::Debug for Images {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Images")
            .field("font_dirs", &self.font_dirs)
            .finish()
    }
}

/// A version: the first 16 hex digits of the SHA-256 of what the image shows.
pub fn version_of<T: serde::Serialize>(content: &T) -> String {
    let bytes = serde_json::to_vec(content).unwrap_or_default();
    hex::encode(Sha256::digest(bytes))[..16].to_owned()
}

impl Images {
    pub fn new(font_dirs: Vec<PathBuf>) -> Self {
        Self {
            font_dirs,
            renderer: OnceCell::new(),
            renders: Semaphore::new(RENDERS_AT_ONCE),
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The renderer, loading the fonts (on the blocking pool) the first time.
    pub async fn renderer(&self) -> Result<Arc<Renderer>, AppError> {
        let dirs = self.font_dirs.clone();
        self.renderer
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || Arc::new(Renderer::load(&dirs)))
                    .await
                    .map_err(AppError::from)
            })
            .await
            .cloned()
    }

    fn cached(&self, key: &str) -> Option<Arc<Vec<u8>>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.images.get(key).cloned()
    }

    fn keep(&self, key: String, png: Arc<Vec<u8>>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let Cache { images: map, order } = &mut *cache;
        if map.insert(key.clone(), png).is_none() {
            order.push_back(key);
        }
        while order.len() > CACHE_IMAGES {
            if let Some(oldest) = order.pop_front() {
                map.remove(&oldest);
            }
        }
    }

    /// The PNG for `key` (a kind and a version), rendered by `draw` unless cached.
    pub async fn png(
        &self,
        key: String,
        draw: impl FnOnce(&Renderer) -> Result<Vec<u8>, render::RenderError> + Send + 'static,
    ) -> Result<Arc<Vec<u8>>, AppError> {
        if let Some(png) = self.cached(&key) {
            return Ok(png);
        }
        let renderer = self.renderer().await?;
        let _permit = self
            .renders
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        if let Some(png) = self.cached(&key) {
            return Ok(png);
        }
        let png = tokio::task::spawn_blocking(move || draw(&renderer))
            .await?
            .map_err(|err| {
                tracing::error!(error = %err, "a card image did not render");
                AppError::Internal
            })?;
        let png = Arc::new(png);
        self.keep(key, png.clone());
        Ok(png)
    }

    /// A cached image under `key`, if still in memory.
    pub fn cached_png(&self, key: &str) -> Option<Arc<Vec<u8>>> {
        self.cached(key)
    }
}

/// How an image answer may be cached.
#[derive(Clone, Copy)]
pub enum Audience {
    /// Anyone: shared caches too.
    Public,
    /// Only the member's own browser.
    Private,
}

/// The PNG answer, with its version as the `ETag` (and 304 when the browser has it).
pub fn png_response(
    headers: &HeaderMap,
    version: &str,
    png: &[u8],
    audience: Audience,
) -> Response {
    let etag = format!("\"{version}\"");
    let cache = match audience {
        Audience::Public => "public, max-age=31536000, immutable",
        Audience::Private => "private, max-age=31536000, immutable",
    };
    let mut response = if headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, Body::from(png.to_vec())).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, value);
    }
    response
}

/// An image a route answers with: what it shows (hashed into its version), its kind (the
/// cache's namespace) and how to draw it.
pub struct Drawable<T> {
    pub kind: &'static str,
    pub content: T,
    pub draw: fn(&Renderer, &T) -> Result<Vec<u8>, render::RenderError>,
}

/// Where an outdated version of an image goes: to the current one's address, or nowhere
/// (a 404; for private images, whose page asks again).
pub enum Outdated<'a> {
    RedirectTo(&'a (dyn Fn(&str) -> String + Sync)),
    NotFound,
}

/// Answers `GET …/<file>`: the image when `file` names its current version (rendered once,
/// then from the cache), an older version while it is still in memory, else `outdated`.
pub async fn serve<T: serde::Serialize + Send + 'static>(
    images: &Images,
    headers: &HeaderMap,
    file: &str,
    image: Drawable<T>,
    audience: Audience,
    outdated: Outdated<'_>,
) -> Response {
    let Some(wanted) = version_in(file) else {
        return refusal(&AppError::NotFound);
    };
    let version = version_of(&image.content);
    let Drawable {
        kind,
        content,
        draw,
    } = image;
    if version == wanted {
        return match images
            .png(format!("{kind}:{version}"), move |r| draw(r, &content))
            .await
        {
            Ok(png) => png_response(headers, &version, &png, audience),
            Err(error) => refusal(&error),
        };
    }
    match (images.cached_png(&format!("{kind}:{wanted}")), outdated) {
        (Some(png), _) => png_response(headers, wanted, &png, audience),
        (None, Outdated::RedirectTo(path)) => redirect_to_current(&path(&version)),
        (None, Outdated::NotFound) => refusal(&AppError::NotFound),
    }
}

/// An error as an image route's answer (the JSON error body, with its status).
pub fn refusal(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    crate::server::security::error_response(status, error)
}

/// `<version>.png` → the version.
pub fn version_in(file: &str) -> Option<&str> {
    file.strip_suffix(".png")
        .filter(|v| v.len() == 16 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A redirect to an image's current version (not cacheable: it may change again).
pub fn redirect_to_current(path: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(&crate::ui::nav::safe_next(Some(path.to_owned()))) {
        response.headers_mut().insert(LOCATION, location);
    }
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
