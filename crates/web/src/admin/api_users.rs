//! `/api/v1/users`: staff accounts (permission `user.manage`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use sanbao_app::admin::users::{CreateUser, UserQuery, UserView};
use sanbao_domain::{DeskId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiActor, ApiJson, ApiQuery, page_limit};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users, create_user))
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// `zh-CN` or `en`.
    pub lang: String,
    pub active: bool,
    pub roles: Vec<String>,
    pub desk_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
    /// Send back unchanged with an update; a stale version is answered 409.
    pub version: i64,
}

impl From<UserView> for User {
    fn from(u: UserView) -> Self {
        User {
            id: u.id.0,
            username: u.username,
            display_name: u.display_name,
            lang: u.lang.code().to_owned(),
            active: u.active,
            roles: u.roles.iter().map(|r| r.code().to_owned()).collect(),
            desk_ids: u.desks.iter().map(|d| d.0.0).collect(),
            created_at: u.created_at,
            version: u.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Part of the user name or display name.
    pub q: Option<String>,
    /// A role code.
    pub role: Option<String>,
    pub active: Option<bool>,
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// List staff accounts.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    params(UserListParams),
    responses(
        (status = 200, description = "A page of users", body = UserList),
        (status = 400, description = "Bad query parameter", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks user.manage", body = ErrorBody),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<UserListParams>,
) -> Result<Json<UserList>, ApiError> {
    let limit = page_limit(p.limit)?;
    let after_id = match p.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(c.parse::<UserId>().map_err(|_| {
            ApiError(sanbao_app::AppError::invalid(
                "cursor",
                "invalid",
                sanbao_domain::text!("case.cursor_invalid"),
            ))
        })?),
    };
    let page = state
        .app
        .users()
        .list(
            &actor,
            UserQuery {
                q: p.q,
                role: p.role,
                active: p.active,
                after_id,
                ..Default::default()
            },
            limit,
        )
        .await?;
    Ok(Json(UserList {
        items: page.users.into_iter().map(User::from).collect(),
        next_cursor: page.next_after.map(|a| a.to_string()),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// At least 10 characters, not only digits or only letters. Omit to have one generated
    /// (returned once, and to be changed at first login).
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub desk_ids: Vec<i64>,
    /// `zh-CN` (default) or `en`.
    #[serde(default)]
    pub lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Present when Sanbao generated the password; shown only in this answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

/// Create a staff account.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = CreatedUser),
        (status = 400, description = "Invalid field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role lacks user.manage", body = ErrorBody),
        (status = 409, description = "User name taken", body = ErrorBody),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let created = state
        .app
        .users()
        .create(
            &actor,
            CreateUser {
                username: body.username,
                display_name: body.display_name,
                password: body.password.unwrap_or_default(),
                roles: body.roles,
                desk_ids: body.desk_ids.into_iter().map(DeskId).collect(),
                lang: body.lang.unwrap_or_default(),
                must_change_password: false,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: created.user.into(),
            generated_password: created.generated_password,
        }),
    ))
}
