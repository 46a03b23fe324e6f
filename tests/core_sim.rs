//! The core under a simulated clock and a scripted fake server: reconnect, backoff, the
//! flap case, fallback and return, catch-up, dedupe, 401 silence, liveness, intent.
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use sim::{is_fetch, is_open, is_resync, Feed, Sim, Upgrade};
use wok_push_core::{Config, Error, Input, Output, Reason, State, SubOptions, To};

fn errors(s: &Sim) -> Vec<Error> {
    s.log()
        .iter()
        .filter_map(|(_, o)| {
            if let Output::Error(e) = o {
                Some(e.clone())
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn connect_opens_and_catches_up_once() {
    let mut s = Sim::default();
    s.subscribe_all();
    s.store
        .push(("KCHCONN0002E".into(), "2020-10-18T16:45:36.123456".into()));
    s.input(Input::Connect);
    s.drive(100);
    let st = s.states();
    assert_eq!(st.len(), 2);
    assert_eq!(
        (st[0].previous, st[0].state, st[0].reason),
        (State::Closed, State::Connecting, Reason::Connect)
    );
    assert_eq!((st[1].state, st[1].reason), (State::Open, Reason::Opened));
    assert_eq!(s.count(is_fetch), 1, "one catch-up fetch");
    assert_eq!(s.delivered(), vec![("KCHCONN0002E".into(), "poll")]);
    assert_eq!(s.count(is_resync), 0, "no resync on the first connect");
    // Idle for 10 minutes: heartbeats, no fetch, no reconnect.
    let t = s.now;
    s.drive(600_000);
    assert_eq!(s.count_since(t, is_fetch), 0);
    assert_eq!(s.count_since(t, is_open), 0);
    assert_eq!(s.count_since(t, |o| matches!(o, Output::Send(..))), 20);
}

#[test]
fn drop_gives_backoff_reopen_resync_and_one_catch_up() {
    let mut s = Sim::default();
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(10_000); // useful: stayed open past usefulAfterMs
    let t = s.now;
    s.drop_socket();
    assert_eq!(s.m().state(), State::Backoff);
    let backoff = *s.states().last().unwrap();
    assert_eq!(backoff.reason, Reason::SocketClosed);
    let retry = backoff.retry_in.unwrap();
    assert!(
        (500..=1000).contains(&retry),
        "first retry after a useful socket: {retry}"
    );
    s.drive(2_000);
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.count_since(t, is_resync), 1);
    assert_eq!(s.count_since(t, is_fetch), 1, "exactly one catch-up GET");
}

#[test]
fn backoff_grows_within_bounds_and_falls_back() {
    let cfg = Config {
        fallback_after: 6,
        ..Config::default()
    };
    let mut s = Sim::new(cfg);
    s.upgrade = Upgrade::Refuse;
    s.input(Input::Connect);
    s.drive(1_000_000);
    assert_eq!(s.m().state(), State::Polling);
    let delays: Vec<u64> = s
        .states()
        .iter()
        .filter(|c| c.state == State::Backoff)
        .map(|c| c.retry_in.unwrap())
        .collect();
    assert_eq!(
        delays.len(),
        5,
        "5 backoffs before the 6th failure falls back"
    );
    for (i, d) in delays.iter().enumerate() {
        let cap = (500u64 << (i + 1)).min(30_000);
        assert!((500..=cap).contains(d), "delay {i} = {d}");
    }
    let fb = s
        .states()
        .into_iter()
        .find(|c| c.state == State::Polling)
        .unwrap();
    assert_eq!(fb.reason, Reason::Fallback);
}

#[test]
fn attempts_reset_only_after_a_useful_connection() {
    let mut s = Sim::default();
    s.upgrade = Upgrade::Refuse;
    s.input(Input::Connect);
    s.drive(2_500); // two refusals
    assert_eq!(s.m().stats().failures, 2);
    s.upgrade = Upgrade::Accept;
    s.drive(5_000);
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.m().stats().failures, 2, "open is not yet useful");
    s.drive(6_000);
    assert_eq!(s.m().stats().failures, 0, "useful after usefulAfterMs");
}

#[test]
fn a_message_makes_a_socket_useful_at_once() {
    let mut s = Sim::default();
    s.upgrade = Upgrade::Refuse;
    s.input(Input::Connect);
    s.drive(2_500);
    s.upgrade = Upgrade::Accept;
    s.drive_until_state(State::Open, 10_000);
    s.drive(20);
    s.push("POST:/kimchi/vms//EOM//");
    assert_eq!(s.m().stats().failures, 0);
}

#[test]
fn middlebox_kill_after_open_settles_on_polling_then_returns() {
    // Phoenix #6766: the upgrade succeeds, the path kills the socket 300 ms later, every time.
    let mut s = Sim::default();
    s.subscribe_all();
    s.upgrade = Upgrade::KillAfter(300);
    s.input(Input::Connect);
    s.drive(30_000);
    assert_eq!(
        s.m().state(),
        State::Polling,
        "counted as failures, not flapping"
    );
    let opens_before = s.count(|o| matches!(o, Output::State(c) if c.state == State::Open));
    assert_eq!(opens_before, 3, "three short-lived opens, then polling");
    // Probes keep failing while polling; the state stays polling (no flapping).
    let t = s.now;
    s.drive(120_000);
    assert!(
        s.count_since(t, |o| matches!(o, Output::State(_))) == 0,
        "no state churn while probes fail"
    );
    assert!(
        s.count_since(t, is_open) >= 3,
        "the websocket is still probed"
    );
    assert!(s.count_since(t, is_fetch) >= 20, "polling goes on");
    // The path heals: a probe stays open, proves useful, and we switch back.
    s.upgrade = Upgrade::Accept;
    s.drive(40_000);
    assert_eq!(s.m().state(), State::Open);
    let back = *s.states().last().unwrap();
    assert_eq!(
        (back.previous, back.reason),
        (State::Polling, Reason::ProbeSucceeded)
    );
    let t = s.now;
    s.drive(60_000);
    assert_eq!(s.count_since(t, is_fetch), 0, "polling stopped");
}

#[test]
fn fallback_and_return_lose_and_double_nothing() {
    let mut s = Sim::default();
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(10_000);
    s.upgrade = Upgrade::Refuse;
    s.drop_socket();
    s.drive(20_000);
    assert_eq!(s.m().state(), State::Polling);
    assert_eq!(
        s.count(is_resync),
        1,
        "the gap is announced on entering polling"
    );
    // Raised while polling: delivered once, by poll.
    s.store.push(("KCHEVENT0004W".into(), "t1".into()));
    s.drive(10_000);
    assert_eq!(s.delivered(), vec![("KCHEVENT0004W".into(), "poll")]);
    // Back on the websocket: catch-up finds it again but does not deliver it twice.
    s.upgrade = Upgrade::Accept;
    s.drive(60_000);
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.count(is_resync), 2, "return is a gap for push-only codes");
    s.push("POST:/wok/notifications//EOM//");
    s.drive(100);
    assert_eq!(
        s.delivered(),
        vec![
            ("KCHEVENT0004W".into(), "poll"),
            ("POST:/wok/notifications".into(), "push")
        ]
    );
    // Deleted and raised again: a new timestamp, delivered again.
    s.store.clear();
    s.push("DELETE:/wok/notification//EOM//");
    s.drive(100);
    s.store.push(("KCHEVENT0004W".into(), "t2".into()));
    s.push("POST:/wok/notifications//EOM//");
    s.drive(100);
    assert_eq!(
        s.delivered()
            .iter()
            .filter(|(c, _)| c == "KCHEVENT0004W")
            .count(),
        2
    );
}

const SESSION_TIMEOUT: &str = "{\"code\":\"401 Unauthorized\",\"reason\":\"sessionTimeout\"}";

fn expired(s: &Sim) -> usize {
    errors(s)
        .iter()
        .filter(|e| **e == Error::SessionExpired)
        .count()
}

#[test]
fn session_expiry_while_polling_stops_everything_until_connect() {
    let mut s = Sim::default();
    s.upgrade = Upgrade::Unavailable;
    s.input(Input::Connect);
    s.drive(10);
    assert_eq!(s.m().state(), State::Polling);
    assert_eq!(s.states()[1].reason, Reason::WebSocketUnavailable);
    s.feed = Feed::Status(401, SESSION_TIMEOUT.into());
    s.drive(10_000);
    let last = *s.states().last().expect("a state change");
    assert_eq!(
        (
            last.previous,
            last.state,
            last.reason,
            last.transport.as_str()
        ),
        (State::Polling, State::Closed, Reason::SessionExpired, None)
    );
    assert_eq!(s.m().poll_timeout(), None, "no timer runs");
    let t = s.now;
    s.drive(600_000);
    assert_eq!(s.count_since(t, is_fetch), 0, "no hammering after 401");
    assert_eq!(s.count_since(t, is_open), 0, "no probe either");
    assert_eq!(expired(&s), 1, "one typed error");
    assert_eq!(
        errors(&s)
            .iter()
            .filter(|e| **e == Error::WebSocketUnavailable)
            .count(),
        1
    );
    // The app reconnects (user logged in again): polling resumes.
    s.feed = Feed::Ok;
    s.input(Input::Connect);
    s.drive(10_000);
    assert!(s.count_since(t, is_fetch) >= 2);
    assert_eq!(s.m().state(), State::Polling);
}

#[test]
fn a_refused_handshake_checks_the_session_once_and_then_nothing_is_tried() {
    let mut s = Sim::default();
    s.subscribe_all();
    s.upgrade = Upgrade::Refuse;
    s.feed = Feed::Status(401, SESSION_TIMEOUT.into());
    s.input(Input::Connect);
    s.drive(100);
    assert_eq!(s.count(is_open), 1, "one attempt");
    assert_eq!(s.count(is_fetch), 1, "one session check");
    assert_eq!(
        (s.m().state(), s.states().last().map(|c| c.reason)),
        (State::Closed, Some(Reason::SessionExpired))
    );
    s.drive(3_600_000);
    assert_eq!(
        (s.count(is_open), s.count(is_fetch), expired(&s)),
        (1, 1, 1),
        "an hour later: nothing more, said once"
    );
    assert!(
        s.delivered().is_empty() && s.count(is_resync) == 0,
        "no handler call"
    );
    // Lifecycle events do not restart it: only the application does.
    for i in [Input::Online, Input::Visibility(true)] {
        s.input(i);
    }
    s.drive(60_000);
    assert_eq!(s.count(is_open), 1);
    // Logged in again: reconnect() opens.
    s.upgrade = Upgrade::Accept;
    s.feed = Feed::Ok;
    s.input(Input::Connect);
    s.drive(100);
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.count(is_resync), 0, "nothing was live before: no gap");
}

#[test]
fn a_server_that_is_down_is_not_taken_for_an_ended_session() {
    // Nothing answers: every failed handshake checks (no verdict yet), backoff and
    // fallback go on as before, and the session is never called expired.
    let mut s = Sim::default();
    s.upgrade = Upgrade::Refuse;
    s.feed = Feed::Fail;
    s.input(Input::Connect);
    s.drive(120_000);
    assert_eq!(s.m().state(), State::Polling);
    assert_eq!(expired(&s), 0);
    let fallback_after = Config::default().fallback_after as usize;
    let before_polling = s
        .log()
        .iter()
        .take_while(|(_, o)| !matches!(o, Output::State(c) if c.state == State::Polling))
        .filter(|(_, o)| is_fetch(o))
        .count();
    assert_eq!(
        before_polling,
        fallback_after - 1,
        "one check per failed handshake before the fallback"
    );
    // The server answers 2xx, the upgrade is still refused (a proxy without websockets):
    // the checks say the session is valid; the fallback comes as before.
    let mut s = Sim::default();
    s.upgrade = Upgrade::Refuse;
    s.input(Input::Connect);
    s.drive(120_000);
    let until_polling: Vec<&Output> = s
        .log()
        .iter()
        .map(|(_, o)| o)
        .take_while(|o| !matches!(o, Output::State(c) if c.state == State::Polling))
        .collect();
    assert_eq!(
        until_polling.iter().filter(|o| is_fetch(o)).count(),
        fallback_after - 1
    );
    assert_eq!(
        until_polling.iter().filter(|o| is_open(o)).count(),
        fallback_after
    );
    assert_eq!(s.count(is_resync), 0, "nothing live was lost: no resync");
    assert_eq!((s.m().state(), expired(&s)), (State::Polling, 0));
}

#[test]
fn a_logout_push_checks_the_session_and_an_ended_one_closes_the_socket() {
    for frame in [
        // One message per frame, and the logout in one frame with another message.
        vec!["POST:/wok/logout//EOM//", "POST:/wok/logs//EOM//"],
        vec!["POST:/wok/logout//EOM//POST:/wok/logs//EOM//"],
    ] {
        let mut s = Sim::default();
        s.subscribe_all();
        s.input(Input::Connect);
        s.drive(100);
        assert_eq!(s.count(is_fetch), 1, "the catch-up");
        // Another user's logout: this session is valid, the socket stays.
        for f in &frame {
            s.push(f);
        }
        s.drive(100);
        assert_eq!(s.count(is_fetch), 2, "one check");
        assert_eq!(s.m().state(), State::Open);
        // This session's logout (in another tab): the check answers 401.
        s.feed = Feed::Status(401, SESSION_TIMEOUT.into());
        for f in &frame {
            s.push(f);
        }
        let codes: Vec<String> = s.delivered().into_iter().map(|(c, _)| c).collect();
        assert_eq!(
            codes.iter().filter(|c| *c == "POST:/wok/logs").count(),
            2,
            "every message delivered: {codes:?}"
        );
        s.drive(100);
        assert_eq!(s.open_sock(), None, "the socket is closed");
        assert_eq!(
            (s.m().state(), s.states().last().map(|c| c.reason)),
            (State::Closed, Some(Reason::SessionExpired))
        );
        let t = s.now;
        s.drive(600_000);
        assert_eq!(
            (s.count_since(t, is_open), s.count_since(t, is_fetch)),
            (0, 0)
        );
        // After a login the application reconnects: a catch-up and one resync (the socket
        // was live when the session ended).
        s.feed = Feed::Ok;
        s.input(Input::Connect);
        s.drive(100);
        assert_eq!(s.m().state(), State::Open);
        assert_eq!(s.count_since(t, is_fetch), 1);
        assert_eq!(s.count(is_resync), 1);
    }
}

#[test]
fn hostile_feed_answers_are_typed_and_back_off() {
    for (feed, want) in [
        (Feed::Status(500, "{}".into()), Error::HttpStatus(500)),
        (
            Feed::Body("<html><form>login</form></html>".into()),
            Error::NotJson,
        ),
        (Feed::Body("[{\"code\": \"KCH".into()), Error::MalformedJson),
        (Feed::Body("{\"vms\": []}".into()), Error::BadShape),
        (Feed::Body("[{\"code\": 5}]".into()), Error::BadShape),
        (Feed::Fail, Error::Network),
    ] {
        let mut s = Sim::default();
        s.upgrade = Upgrade::Unavailable;
        s.feed = feed;
        s.input(Input::Connect);
        s.drive(120_000);
        let errs = errors(&s);
        assert!(errs.contains(&want), "{want:?} in {errs:?}");
        // Backing off: far fewer than the 40 polls a healthy 3 s interval would make.
        let fetches = s.count(is_fetch);
        assert!(
            (4..=15).contains(&fetches),
            "{fetches} fetches for {want:?}"
        );
        assert_eq!(s.m().state(), State::Polling);
    }
}

#[test]
fn connect_timeout_bounds_a_hanging_handshake() {
    let mut s = Sim::default();
    s.upgrade = Upgrade::Hang;
    s.input(Input::Connect);
    s.drive(10_500);
    let st = s.states();
    assert_eq!(st.last().unwrap().reason, Reason::ConnectTimeout);
    assert_eq!(s.count(|o| matches!(o, Output::CloseSocket(_))), 1);
}

#[test]
fn close_is_final_until_connect() {
    let mut s = Sim::default();
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(1_000);
    let g = s.open_sock().unwrap();
    s.input(Input::Close);
    assert_eq!(s.m().state(), State::Closed);
    let n = s.log().len();
    for i in [
        Input::Online,
        Input::Visibility(true),
        Input::PageShow,
        Input::Timer,
        Input::SocketClosed(g),
    ] {
        s.input(i);
    }
    s.input(Input::SocketFrame(
        g,
        wok_push_core::Frame::Text("POST:/x//EOM//".into()),
    ));
    s.drive(600_000);
    assert_eq!(s.log().len(), n, "nothing resurrects a closed manager");
    assert_eq!(s.m().poll_timeout(), None);
    s.input(Input::Connect);
    s.drive(100);
    assert_eq!(s.m().state(), State::Open);
}

#[test]
fn stale_generations_are_ignored() {
    let mut s = Sim::default();
    s.upgrade = Upgrade::Hang;
    s.input(Input::Connect);
    s.drive(10_500); // attempt 1 timed out; attempt 2 pending after backoff
    s.drive(2_000);
    let n = s.log().len();
    s.input(Input::SocketOpened(1, "binary".into()));
    s.input(Input::SocketClosed(1));
    assert_eq!(s.log().len(), n);
    assert_ne!(s.m().state(), State::Open);
}

/// Heartbeats sent on socket `g` so far.
fn beats(s: &Sim, g: u32) -> usize {
    s.count(|o| matches!(o, Output::Send(x, _) if *x == g))
}

#[test]
fn a_silent_stock_server_is_never_taken_for_a_dead_one() {
    // Stock WoK never answers: an hour of heartbeats, no traffic, the same socket.
    let mut s = Sim::default();
    s.input(Input::Connect);
    s.drive(100);
    let g = s.open_sock().unwrap();
    s.drive(3_600_000);
    assert_eq!(s.open_sock(), Some(g));
    assert_eq!(
        beats(&s, g),
        120,
        "one heartbeat per 30 s, nothing else sent"
    );
    assert_eq!(s.count(|o| matches!(o, Output::OpenSocket(_))), 1);
}

#[test]
fn an_answering_server_that_goes_silent_is_replaced_within_three_heartbeats() {
    let mut s = Sim::default();
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(100);
    let g = s.open_sock().unwrap();
    // The server echoes each heartbeat (as the patched WoK push server does), 5 ms later.
    for _ in 0..10 {
        let due = s.m().poll_timeout().unwrap();
        s.drive(due - s.now + 5);
        s.push("heartbeat//EOM//");
    }
    assert_eq!(s.open_sock(), Some(g), "answered: alive");
    assert!(
        s.delivered().iter().all(|(c, _)| c != "heartbeat"),
        "never delivered"
    );
    // A blackhole: nothing arrives any more (the socket stays open at the TCP level).
    let fault = s.now;
    s.drive(100_000);
    let lost = s
        .states()
        .into_iter()
        .find(|c| c.reason == Reason::Silent)
        .expect("silent");
    assert_eq!(lost.previous, State::Open);
    let at = s
        .log()
        .iter()
        .find(|(_, o)| *o == Output::CloseSocket(g))
        .unwrap()
        .0;
    let hb = 30_000;
    assert!(
        at - fault > 2 * hb - 10 && at - fault <= 3 * hb,
        "noticed {} ms after",
        at - fault
    );
    // A gap: the next socket catches up and resyncs once.
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.count(is_resync), 1);
}

#[test]
fn throttled_heartbeat_timers_do_not_make_a_live_socket_look_silent() {
    // A background tab: every tick fires 50 s late (under the sleep threshold); the server
    // echoes each heartbeat when it is really sent.
    let mut s = Sim::default();
    s.input(Input::Connect);
    s.drive(100);
    let g = s.open_sock().unwrap();
    s.push("heartbeat//EOM//");
    for _ in 0..20 {
        let due = s.m().poll_timeout().unwrap();
        s.now = due + 50_000;
        s.input(Input::Timer);
        s.now += 5;
        s.push("heartbeat//EOM//");
    }
    assert_eq!(s.open_sock(), Some(g));
    assert_eq!(beats(&s, g), 20);
}

#[test]
fn a_json_push_server_answers_with_a_json_heartbeat() {
    // A JSON push server (format 'auto': one object per frame) answers `{"code":"heartbeat"}`.
    let mut s = Sim::default();
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(100);
    s.push(r#"{"code":"heartbeat"}"#);
    s.drive(200_000);
    assert!(s.states().iter().any(|c| c.reason == Reason::Silent));
    assert!(s.delivered().iter().all(|(c, _)| c != "heartbeat"));
}

#[test]
fn answers_are_learned_per_connection_and_any_traffic_counts() {
    let mut s = Sim::default();
    s.input(Input::Connect);
    s.drive(100);
    s.push("heartbeat//EOM//");
    // The server's own messages keep the connection alive as well as its heartbeats.
    for _ in 0..20 {
        s.drive(20_000);
        s.push("POST:/kimchi/vms//EOM//");
    }
    let g = s.open_sock().unwrap();
    assert_eq!(s.count(|o| matches!(o, Output::CloseSocket(_))), 0);
    // Another connection (after a drop) to a server that does not answer: no silence rule.
    s.drop_socket();
    s.drive(5_000);
    let g2 = s.open_sock().unwrap();
    assert_ne!(g, g2);
    s.drive(600_000);
    assert_eq!(s.open_sock(), Some(g2));
    assert!(s.states().iter().all(|c| c.reason != Reason::Silent));
}

#[test]
fn sleep_replaces_the_socket_at_once_with_a_gap() {
    let mut s = Sim::default();
    s.input(Input::Connect);
    s.drive(10_000);
    let g = s.open_sock().unwrap();
    // The machine sleeps for an hour: the next timer fires very late.
    s.now += 3_600_000;
    s.input(Input::Timer);
    assert!(s.log().iter().any(|(_, o)| *o == Output::CloseSocket(g)));
    let last = *s.states().last().unwrap();
    assert_eq!(
        (last.state, last.reason),
        (State::Connecting, Reason::Slept)
    );
    s.drive(100);
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.count(is_resync), 1);
}

#[test]
fn online_and_visible_retry_at_once() {
    let mut s = Sim::default();
    s.upgrade = Upgrade::Refuse;
    s.input(Input::Connect);
    s.drive(2_000);
    assert_eq!(s.m().state(), State::Backoff);
    s.upgrade = Upgrade::Accept;
    s.input(Input::Online);
    let last = *s.states().last().unwrap();
    assert_eq!(last.reason, Reason::Online);
    s.drive(50);
    assert_eq!(s.m().state(), State::Open);
    // Hidden for 5 minutes, then visible: an open socket is replaced (timers were throttled).
    s.drive(10_000);
    s.input(Input::Visibility(false));
    s.drive(300_000);
    s.input(Input::Visibility(true));
    assert_eq!(s.states().last().unwrap().reason, Reason::Visible);
    // A short hide does nothing.
    s.drive(10_000);
    let t = s.now;
    s.input(Input::Visibility(false));
    s.drive(5_000);
    s.input(Input::Visibility(true));
    assert_eq!(s.count_since(t, is_open), 0);
    assert_eq!(s.count_since(t, |o| matches!(o, Output::State(_))), 0);
}

#[test]
fn pagehide_closes_and_pageshow_reconnects() {
    let mut s = Sim::default();
    s.input(Input::Connect);
    s.drive(10_000);
    s.input(Input::PageHide);
    assert_eq!(s.m().state(), State::Backoff);
    assert_eq!(
        s.m().poll_timeout(),
        None,
        "nothing runs while in the bfcache"
    );
    s.input(Input::PageShow);
    s.drive(100);
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.count(is_resync), 1);
}

#[test]
fn hashchange_drops_tab_scoped_subscriptions() {
    let mut s = Sim::default();
    let a = s.m().subscribe(
        1_000,
        "METHOD:/kimchi/vms",
        SubOptions {
            tab: Some("guests".into()),
            ..SubOptions::default()
        },
    );
    let b = s.m().subscribe(
        1_000,
        "POST:/wok/*",
        SubOptions {
            tab: Some("guests".into()),
            persist: true,
            ..SubOptions::default()
        },
    );
    let now = s.now;
    let c = s.m().subscribe(now, "KCHCONN*", SubOptions::default());
    s.input(Input::Connect);
    s.drive(100);
    // The new tab's own hashchange listener subscribed just before ours ran: kept.
    let at = s.now;
    let d = s.m().subscribe(
        at,
        "POST:/wok/logs",
        SubOptions {
            tab: Some("logs".into()),
            ..SubOptions::default()
        },
    );
    s.input(Input::HashChange(at));
    assert!(s.log().iter().any(|(_, o)| *o == Output::Dropped(vec![a])));
    s.push("METHOD:/kimchi/vms//EOM//POST:/wok/logs//EOM//KCHCONN0001E//EOM//");
    let targets: Vec<Vec<u32>> = s
        .log()
        .iter()
        .filter_map(|(_, o)| {
            if let Output::Deliver(_, To::Ids(t), _) = o {
                Some(t.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(targets, vec![vec![b, d], vec![c]]);
    assert_eq!(
        s.m().stats().messages,
        3,
        "unsubscribed codes are still counted"
    );
}

#[test]
fn base64_protocol_heartbeat_and_frames() {
    let mut s = Sim::default();
    s.protocol = "base64";
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(100);
    let g = s.open_sock().unwrap();
    s.input(Input::SocketFrame(
        g,
        wok_push_core::Frame::Text("UE9TVDovd29rL2xvZ3MvL0VPTS8v".into()),
    ));
    assert_eq!(s.delivered(), vec![("POST:/wok/logs".into(), "push")]);
    s.drive(30_000);
    assert!(s
        .log()
        .iter()
        .any(|(_, o)| matches!(o, Output::Send(_, wok_push_core::Protocol::Base64))));
}

#[test]
fn json_pushed_notifications_are_deduped_against_the_feed() {
    let mut s = Sim::default();
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(100);
    s.store.push(("GINFW0007I".into(), "t9".into()));
    s.push("{\"code\":\"GINFW0007I\",\"message\":\"GINFW0007I: firmware\",\"timestamp\":\"t9\"}//EOM//");
    s.push("POST:/wok/notifications//EOM//");
    s.drive(100);
    let g: Vec<_> = s
        .delivered()
        .into_iter()
        .filter(|(c, _)| c == "GINFW0007I")
        .collect();
    assert_eq!(g, vec![("GINFW0007I".into(), "push")]);
}

#[test]
fn feed_triggers_coalesce_while_a_fetch_is_in_flight() {
    let mut s = Sim::default();
    s.input(Input::Connect);
    s.drive(100);
    let t = s.now;
    s.latency = 50;
    for _ in 0..10 {
        s.push("POST:/wok/notifications//EOM//");
    }
    s.drive(1_000);
    assert_eq!(
        s.count_since(t, is_fetch),
        2,
        "one now, one after it for what arrived meanwhile"
    );
}

#[test]
fn a_hanging_fetch_is_aborted_and_polling_goes_on() {
    let mut s = Sim::default();
    s.upgrade = Upgrade::Unavailable;
    s.latency = 10_000_000; // the feed never answers in time
    s.input(Input::Connect);
    s.drive(60_000);
    let errs = errors(&s);
    assert!(errs.contains(&Error::FetchTimeout), "{errs:?}");
    assert!(s.count(|o| *o == Output::AbortFetch) >= 2);
    assert!(
        s.count(is_fetch) >= 3,
        "polling continues after each timeout"
    );
}

#[test]
fn resync_waits_until_a_refresh_can_succeed() {
    // A live socket is lost and nothing is reachable any more: no websocket, no feed. The
    // fallback to polling must not announce the gap while every poll fails (a refresh would
    // fail too); the first poll that answers does, once.
    let mut s = Sim::default();
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(10_000);
    let before = s.count(is_resync);
    s.upgrade = Upgrade::Refuse;
    s.feed = Feed::Fail;
    s.drop_socket();
    s.drive_until_state(State::Polling, 120_000);
    s.drive(30_000);
    assert!(s.count(is_fetch) > 1, "polls were tried");
    assert_eq!(
        s.count(is_resync),
        before,
        "no resync while nothing answers"
    );
    s.feed = Feed::Ok;
    s.drive(60_000);
    assert_eq!(
        s.count(is_resync),
        before + 1,
        "one resync, once a poll answered"
    );
}

/// A resync is owed from the loss of a live socket until a transport is live again, and a
/// `close()` forgets it: the next `connect()` starts fresh, like the first one.
#[test]
fn close_forgets_an_owed_resync() {
    let mut s = Sim::default();
    s.subscribe_all();
    s.input(Input::Connect);
    s.drive(10_000);
    s.drop_socket();
    assert_eq!(s.m().state(), State::Backoff);
    s.input(Input::Close);
    s.input(Input::Connect);
    s.drive(10_000);
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.count(is_resync), 0, "no resync after close + connect");
    // Without the close, the same loss is announced once the socket is back.
    s.drop_socket();
    s.drive(10_000);
    assert_eq!(s.m().state(), State::Open);
    assert_eq!(s.count(is_resync), 1);
}
