//! The JSON API under `/api/v1`, authenticated by `Authorization: Bearer <token>`, documented
//! by the OpenAPI document built from these same routes: what every feature's API shares
//! (authentication, JSON and query extractors with the API's error shape, page limits). The
//! routes are the features'.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sanbao_app::{Actor, AppError};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::{ApiError, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sanbao API",
        description = "三包 sales and after-sales service management. Authenticate with \
                       `Authorization: Bearer <token>` (tokens: 设置 → API 令牌, or \
                       `sanbao admin create-token`). Errors are \
                       `{\"error\": {\"code\", \"message\", \"field\"}}`; lists page by cursor; \
                       times are RFC 3339 with offset."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "cases", description = "服务单 Service cases"),
        (name = "users", description = "用户 Staff accounts"),
        (name = "customers", description = "客户 Customers"),
        (name = "me", description = "当前用户 The caller"),
        (name = "products", description = "产品与保修 Products, sold units and warranty"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's document without routes: the features add theirs.
pub(crate) fn root() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
}

/// Routes that take a file: their own body limit, above the default.
pub(crate) fn upload_limit(r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = r;
    (
        schemas,
        paths,
        method_router.layer(axum::extract::DefaultBodyLimit::max(
            crate::files::UPLOAD_BODY_LIMIT,
        )),
    )
}

/// The caller of an API request, authenticated by [`auth_layer`].
#[derive(Clone)]
pub struct ApiActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<ApiActor>()
            .cloned()
            .ok_or(ApiError(AppError::Unauthenticated))
    }
}

/// Authenticate every API request by its bearer token; no valid token → 401.
pub(crate) async fn auth_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned());
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return ApiError(AppError::Unauthenticated).into_response();
    };
    match state.app.auth().token(&token).await {
        Ok(Some(actor)) => {
            tracing::debug!(user = %actor.username, "api request");
            req.extensions_mut().insert(ApiActor(actor));
            next.run(req).await
        }
        Ok(None) => ApiError(AppError::Unauthenticated).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

/// A JSON body whose parse errors answer 400 in the API's error shape (axum's own rejection is
/// plain text).
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    axum::Json<T>:
        axum::extract::FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(ApiError(AppError::invalid(
                "body",
                "invalid_json",
                sanbao_domain::text!("api.invalid_body", why = rej.body_text()),
            ))),
        }
    }
}

/// Query parameters whose parse errors answer 400 in the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(ApiError(AppError::invalid(
                "query",
                "invalid_query",
                sanbao_domain::text!("api.invalid_query", why = rej.body_text()),
            ))),
        }
    }
}

/// `limit` query values: 1–200, default 50.
pub(crate) fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(50),
        Some(n) if (1..=200).contains(&n) => Ok(n),
        Some(_) => Err(ApiError(AppError::invalid(
            "limit",
            "out_of_range",
            sanbao_domain::text!("api.limit_range"),
        ))),
    }
}
