//! How a feature plugs into the web layer: its pages, its API routes (with their OpenAPI
//! paths) and its place in the main navigation. `lib.rs` lists the features; nothing else
//! names them.

use axum::Router;
use sanbao_domain::role::Permission;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::layout::Section;

/// One feature's routes.
pub(crate) struct Feature {
    /// Staff pages (behind the session and CSRF layers).
    pub pages: Router<AppState>,
    /// `/api/v1` routes (behind the token layer), documented in the OpenAPI document.
    pub api: OpenApiRouter<AppState>,
}

impl Feature {
    pub(crate) fn pages(pages: Router<AppState>) -> Self {
        Feature {
            pages,
            api: OpenApiRouter::new(),
        }
    }

    #[must_use]
    pub(crate) fn with_api(mut self, api: OpenApiRouter<AppState>) -> Self {
        self.api = api;
        self
    }
}

/// A section of the main navigation.
pub(crate) struct NavEntry {
    pub section: Section,
    pub href: &'static str,
    /// The message key of its label.
    pub key: &'static str,
    /// Shown to those who hold any of these (empty: everyone signed in).
    pub any_of: &'static [Permission],
}
