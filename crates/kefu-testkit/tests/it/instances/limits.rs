//! Limits that count across instances: failed sign-ins (counted from the shared audit log)
//! and the API's rate limit (counted in the shared database). Per-instance counters would
//! let a client spread over three instances have three times the allowance.

use std::collections::BTreeSet;
use std::time::Instant;

use kefu_app::Settings;
use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, json_body};

use super::{Cluster, instance};

/// The API calls per token per minute of this test's instances.
const RATE: u32 = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_hold_across_instances() {
    let Some(cluster) = Cluster::start(Some(RATE)).await else {
        return;
    };
    let observer = &cluster.observer;

    // -- Sign-in throttling: the failures land on different instances, and add up. -------
    observer.create_user("inst.throttled", &[Role::Agent]).await;
    let per_account = Settings::default().throttle_per_account;
    let mut failed_at = BTreeSet::new();
    for _ in 0..per_account {
        let browser = Cluster::browser(&cluster.balancer.base);
        let res = browser.sign_in("inst.throttled", "wrong-password!").await;
        assert_eq!(res.status(), 401);
        failed_at.insert(instance(&res));
    }
    assert!(
        failed_at.len() >= 2,
        "the failures were spread over instances: {failed_at:?}"
    );
    // Now the right password is refused on every instance, as it would be on one.
    for server in &cluster.servers {
        let res = Cluster::browser(&server.base)
            .sign_in("inst.throttled", TEST_PASSWORD)
            .await;
        assert_eq!(
            res.status(),
            429,
            "{} after {per_account} failures elsewhere",
            server.base
        );
    }

    // -- The API's rate limit: calls spread over the instances share one allowance. -------
    let user = observer.create_user("inst.api", &[Role::Agent]).await;
    let token = observer.token_for(user).await;
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut allowed = 0u32;
    let mut allowed_by = BTreeSet::new();
    let mut limited = None;
    for i in 0..(3 * RATE as usize) {
        let server = &cluster.servers[i % cluster.servers.len()];
        let res = http
            .get(format!("{}/api/v1/me", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("GET /api/v1/me");
        match res.status().as_u16() {
            200 => {
                allowed += 1;
                allowed_by.insert(instance(&res));
            }
            429 => {
                limited = Some(res);
                break;
            }
            other => panic!("/api/v1/me answered {other} at {}", server.base),
        }
    }
    let limited = limited.unwrap_or_else(|| {
        panic!(
            "{allowed} calls allowed over three instances with a limit of {RATE}: \
             each instance counted on its own"
        )
    });
    // A call comes back every 60/RATE seconds while the test runs.
    let regained = (started.elapsed().as_secs_f64() * f64::from(RATE) / 60.0).ceil() as u32;
    assert!(
        (RATE..=RATE + regained).contains(&allowed),
        "{allowed} calls allowed, limit {RATE} (+{regained} regained)"
    );
    assert_eq!(allowed_by.len(), 3, "{allowed_by:?}");
    assert!(limited.headers().get("retry-after").is_some());
    assert_eq!(json_body(limited).await["error"]["code"], "rate_limited");
}
