//! Complaints (投诉): the dossier printed for an authority. The complaint's steps are forms
//! on the case page (`templates/complaint/step_forms.html`) recorded by the case's step route.

use axum::Router;
use axum::routing::get;

use crate::AppState;
use crate::feature::Feature;

mod dossier;

pub(crate) fn feature() -> Feature {
    Feature::pages(Router::<AppState>::new().route("/cases/{number}/dossier", get(dossier::show)))
}
