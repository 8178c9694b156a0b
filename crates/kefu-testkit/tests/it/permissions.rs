//! Walks the whole route table for every role (and for nobody) and checks each answer
//! against the permission policy: allowed, 403, or sign-in (redirect for pages, 401 for
//! the API). A route added without a permission, or a policy change not reflected in the
//! routes, fails here.

use kefu_domain::{Access, Role};
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp};
use kefu_web::{RouteSpec, Surface};
use reqwest::Method;

#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Allowed,
    Forbidden,
    SignIn,
}

/// Who walks the routes: nobody, a staff member with one role, or a portal customer.
#[derive(Debug, Clone, Copy)]
enum Who {
    Nobody,
    Staff(Role),
    Customer,
}

fn expectation(spec: &RouteSpec, who: Who) -> Expect {
    let role = match who {
        Who::Staff(r) => Some(r),
        _ => None,
    };
    match (spec.access, role) {
        (Access::Public, _) => Expect::Allowed,
        // Only a portal customer is signed in to the portal; staff are asked to sign in there.
        (Access::Customer, _) => match who {
            Who::Customer => Expect::Allowed,
            _ => Expect::SignIn,
        },
        (Access::Requires(_), None) => Expect::SignIn,
        (Access::Requires(p), Some(role)) => {
            if kefu_domain::RoleSet::new([role]).allows(p) {
                Expect::Allowed
            } else {
                Expect::Forbidden
            }
        }
    }
}

fn observed(spec: &RouteSpec, res: &reqwest::Response) -> Expect {
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match status {
        403 => Expect::Forbidden,
        401 if spec.surface == Surface::Api => Expect::SignIn,
        303 | 302 | 307
            if location.starts_with("/login?next=")
                || location.starts_with("/portal/login?next=") =>
        {
            Expect::SignIn
        }
        _ => Expect::Allowed,
    }
}

struct Walker<'a> {
    app: &'a TestApp,
    victim_id: i64,
}

impl Walker<'_> {
    /// Fills in path parameters with real ids the caller may act on.
    async fn path(&self, spec: &RouteSpec, owner: Option<i64>) -> String {
        let mut path = spec.path.replace("{name}", "kefu.css");
        if path.contains("tokens/{id}") {
            let owner = owner.unwrap_or(self.victim_id);
            let token = self
                .app
                .app
                .create_token(&kefu_app::Actor::system(), owner, "walk")
                .await
                .unwrap();
            path = path.replace("{id}", &token.token.id.to_string());
        }
        path.replace("{id}", &self.victim_id.to_string())
    }

    async fn page(
        &self,
        session: &Session,
        spec: &RouteSpec,
        owner: Option<i64>,
    ) -> reqwest::Response {
        let path = self.path(spec, owner).await;
        if spec.method == Method::GET {
            session.get(&path).await
        } else {
            session.post_form(&path, &[]).await
        }
    }

    async fn api(
        &self,
        token: Option<&str>,
        spec: &RouteSpec,
        owner: Option<i64>,
    ) -> reqwest::Response {
        let path = self.path(spec, owner).await;
        let mut req = self
            .app
            .client()
            .request(spec.method.clone(), self.app.url(&path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if spec.method == Method::POST || spec.method == Method::PATCH {
            req = req.json(&serde_json::json!({}));
        }
        req.send().await.unwrap()
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_policy_says() {
    let app = TestApp::spawn().await;
    let victim_id = app.create_user("walk.victim", &[Role::Agent]).await;
    let walker = Walker {
        app: &app,
        victim_id,
    };
    let mut specs = kefu_web::route_specs();
    // Sign-outs last, since they end the sessions the walk uses.
    specs.sort_by_key(|s| s.path.ends_with("/logout"));

    let mut failures = Vec::new();
    let mut checked = 0;
    let identities: Vec<Who> = [Who::Nobody, Who::Customer]
        .into_iter()
        .chain(Role::ALL.into_iter().map(Who::Staff))
        .collect();
    for who in identities {
        let (session, token, owner) = match who {
            Who::Nobody => (
                Session {
                    client: app.client(),
                    base: app.base.clone(),
                },
                None,
                None,
            ),
            Who::Customer => {
                let s = Session {
                    client: app.client(),
                    base: app.base.clone(),
                };
                let res = s
                    .post_form(
                        "/portal/register",
                        &[
                            ("email", "walk@example.com"),
                            ("name", "走查客户"),
                            ("password", TEST_PASSWORD),
                        ],
                    )
                    .await;
                assert_eq!(res.status(), 303, "the walking customer registers");
                (s, None, None)
            }
            Who::Staff(r) => {
                let name = format!("walk.{}", r.key().replace('_', "-"));
                let id = app.create_user(&name, &[r]).await;
                let token = app.token_for(id).await;
                (app.login(&name, TEST_PASSWORD).await, Some(token), Some(id))
            }
        };
        for spec in &specs {
            let res = match spec.surface {
                Surface::Api => walker.api(token.as_deref(), spec, owner).await,
                Surface::Page | Surface::Ops => walker.page(&session, spec, owner).await,
            };
            let want = expectation(spec, who);
            let got = observed(spec, &res);
            checked += 1;
            if want != got {
                failures.push(format!(
                    "{:?} {} {}: expected {want:?}, got {got:?} (status {})",
                    who,
                    spec.method,
                    spec.path,
                    res.status()
                ));
            }
        }
    }
    let routes = specs.len();
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, routes * (Role::ALL.len() + 2));
    println!(
        "route walk: {routes} routes × {} identities = {checked} checks",
        Role::ALL.len() + 2
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refused_request_is_audited() {
    let app = TestApp::spawn().await;
    app.create_user("qian.agent", &[Role::Agent]).await;
    let s = app.login("qian.agent", TEST_PASSWORD).await;
    let res = s.get("/admin/users").await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("没有执行此操作的权限"));
    let f = kefu_store::audit::AuditFilter {
        action: Some("access_denied"),
        limit: 5,
        ..Default::default()
    };
    let entries = app
        .app
        .audit_log(&kefu_app::Actor::system(), &f)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor_name.as_deref(), Some("qian.agent"));
    assert_eq!(entries[0].target_id.as_deref(), Some("/admin/users"));
    app.stop().await;
}

#[tokio::test]
async fn navigation_shows_only_what_the_roles_allow() {
    let app = TestApp::spawn().await;
    app.create_user("nav.agent", &[Role::Agent]).await;
    app.create_user("nav.admin", &[Role::Admin]).await;
    let agent = app
        .login("nav.agent", TEST_PASSWORD)
        .await
        .get("/")
        .await
        .text()
        .await
        .unwrap();
    assert!(!agent.contains("href=\"/admin/users\"") && !agent.contains("href=\"/admin/audit\""));
    let admin = app
        .login("nav.admin", TEST_PASSWORD)
        .await
        .get("/")
        .await
        .text()
        .await
        .unwrap();
    assert!(admin.contains("href=\"/admin/users\"") && admin.contains("href=\"/admin/audit\""));
    app.stop().await;
}

#[tokio::test]
async fn api_client_is_refused_on_the_same_policy() {
    let app = TestApp::spawn().await;
    let id = app.create_user("api.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(id).await);
    assert_eq!(api.get("/api/v1/me").await.status(), 200);
    let res = api.get("/api/v1/audit").await;
    assert_eq!(res.status(), 403);
    let body = kefu_testkit::json_body(res).await;
    assert_eq!(body["error"]["code"], "forbidden");
    app.stop().await;
}
