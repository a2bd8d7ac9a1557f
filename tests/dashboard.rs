//! The workflow dashboard's components in headless Chromium: the list's
//! filters, sorting and paging over 10,000 stored instances, live updates,
//! the detail view of a recorded history, and a missing version rewound
//! and restarted from the instance page.

#![cfg(target_arch = "wasm32")]

use durable::{decode_event, HistoryEvent, InstanceId, InstanceRecord, RuntimeStatus};
use durable_dashboard::InstanceReport;
use durable_dungeon::testing::{
    fill, fresh_container, instance_rows, mount_dashboard, provide_game_dashboard,
    sample_instances, services_on, set_hash, text_of, until,
};
use durable_dungeon::Services;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const WAIT_MS: f64 = 30_000.0;

fn unique(name: &str) -> String {
    format!("dashboard-test-{name}-{}", js_sys::Math::random())
}

fn click(root: &web_sys::Element, css: &str) {
    root.query_selector(css)
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("no {css}"))
        .dyn_into::<web_sys::HtmlElement>()
        .expect("an HTML element")
        .click();
}

/// The dashboard's list mounted on a new database `db` holding `rows`,
/// with its services: keep the handle (dropping it unmounts).
async fn list_of(
    db: &str,
    rows: Vec<InstanceRecord>,
) -> (durable_dungeon::Services, impl Drop, web_sys::Element) {
    fill(db, rows).await;
    let services = services_on(db).await;
    set_hash("#/dashboard");
    let container = fresh_container();
    let mounted = mount_dashboard(container.clone(), services);
    (services, mounted, container.into())
}

#[wasm_bindgen_test]
async fn ten_thousand_instances_list_filter_sort_and_page() {
    let db = unique("10k");
    let (_, _mounted, root) = list_of(&db, sample_instances(10_000, 1_700_000_000_000)).await;

    // Newest first, 50 to a page, 200 pages.
    until("step 1", &root, WAIT_MS, || {
        instance_rows(&root).len() == 50
    })
    .await;
    // The total comes after the page.
    until("the total", &root, WAIT_MS, || {
        text_of(&root, "instance-count").as_deref() == Some("10000 instances")
    })
    .await;
    assert_eq!(text_of(&root, "page").as_deref(), Some("Page 1 of 200"));
    let rows = instance_rows(&root);
    assert_eq!(rows[0].0, "hero09999:w4");
    assert_eq!(rows[49].0, "hero09950:w0");

    // A status filter: every row matches, and the total is the matches'.
    set_hash("#/dashboard?status=Failed");
    until("step 2", &root, WAIT_MS, || {
        text_of(&root, "instance-count").as_deref() == Some("2500 instances")
            && instance_rows(&root).iter().all(|(_, s)| s == "Failed")
    })
    .await;
    let rows = instance_rows(&root);
    assert_eq!(rows.len(), 50);
    assert!(rows.iter().all(|(_, s)| s == "Failed"), "{rows:?}");
    assert_eq!(rows[0].0, "hero09998:w3");

    // Sorting by id from its heading: ascending, then descending.
    click(&root, "[data-testid=\"sort-id\"]");
    until("step 3", &root, WAIT_MS, || {
        instance_rows(&root).first().map(|r| r.0.as_str()) == Some("hero00002:w2")
    })
    .await;
    let ids: Vec<String> = instance_rows(&root).into_iter().map(|r| r.0).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(window().location().hash().unwrap().contains("sort=id"));
    click(&root, "[data-testid=\"sort-id\"]");
    until("step 4", &root, WAIT_MS, || {
        instance_rows(&root).first().map(|r| r.0.as_str()) == Some("hero09998:w3")
    })
    .await;

    // The next page continues where the first ended.
    click(&root, "[data-testid=\"sort-id\"]");
    until("step 5", &root, WAIT_MS, || {
        instance_rows(&root).first().map(|r| r.0.as_str()) == Some("hero00002:w2")
    })
    .await;
    let last_of_first = instance_rows(&root)[49].0.clone();
    click(&root, "[data-testid=\"next-page\"]");
    until("step 6", &root, WAIT_MS, || {
        instance_rows(&root).first().map(|r| r.0.as_str()) != Some("hero00002:w2")
    })
    .await;
    until("page 2's label", &root, WAIT_MS, || {
        text_of(&root, "page").as_deref() == Some("Page 2 of 50")
    })
    .await;
    let first_of_second = instance_rows(&root)[0].0.clone();
    assert!(
        first_of_second > last_of_first,
        "{first_of_second} after {last_of_first}"
    );

    // An adventurer's name as id prefix, with an orchestration name.
    set_hash("#/dashboard?name=UserMonitorWorkflow&prefix=hero0001");
    let ids = || -> Vec<String> { instance_rows(&root).into_iter().map(|r| r.0).collect() };
    until("step 7", &root, WAIT_MS, || {
        text_of(&root, "instance-count").as_deref() == Some("2 instances")
            && ids() == ["hero00018:w3", "hero00013:w3"]
    })
    .await;

    // A time range: created within the first ten seconds.
    set_hash("#/dashboard?to=1700000009000");
    until("step 8", &root, WAIT_MS, || {
        text_of(&root, "instance-count").as_deref() == Some("10 instances")
            && ids().len() == 10
            && ids().iter().all(|id| id.as_str() <= "hero00009:w4")
    })
    .await;
    set_hash("");
}

#[wasm_bindgen_test]
async fn the_list_follows_changes_live() {
    let db = unique("live");
    let (services, _mounted, root) = list_of(&db, sample_instances(3, 1_700_000_000_000)).await;
    until("step 9", &root, WAIT_MS, || instance_rows(&root).len() == 3).await;

    let rt = services.runtime().expect("the runtime is up");
    rt.game
        .new_adventurer("Zed")
        .await
        .expect("a new adventurer");
    until("step 10", &root, WAIT_MS, || {
        instance_rows(&root)
            .iter()
            .any(|(id, _)| id.starts_with("zed:"))
    })
    .await;
    // The newest are first.
    assert!(instance_rows(&root)[0].0.starts_with("zed:"));
    set_hash("");
}

fn recorded(file: &str) -> Vec<HistoryEvent> {
    let json = match file {
        "parallel" => {
            include_str!("../crates/dungeon/tests/histories/0.2.0/won/UserParallelWorkflow.json")
        }
        _ => {
            include_str!("../crates/dungeon/tests/histories/0.2.0/won/UserSequentialWorkflow.json")
        }
    };
    let values: Vec<serde_json::Value> = serde_json::from_str(json).expect("a recorded history");
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| decode_event(i, v).expect("a recorded event"))
        .collect()
}

#[wasm_bindgen_test]
async fn the_detail_view_shows_a_recorded_history() {
    let history = recorded("parallel");
    let mut record = InstanceRecord::pending(
        InstanceId::new("won:parallel"),
        "UserParallelWorkflow",
        serde_json::json!({"hero": "<img src=x onerror=alert(1)>"}),
        history[0].timestamp_ms,
    );
    record.status = RuntimeStatus::Completed;
    record.updated_ms = history.last().unwrap().timestamp_ms;
    record.output = Some(serde_json::json!("done"));
    record.turns = 4;
    record.orchestration_compute_ms = 1.25;
    record.activity_compute_ms = 2.0;
    let line = |event_id: u64, message: &str| durable::LogLine {
        instance_id: record.id.clone(),
        execution: 0,
        event_id,
        at_ms: history[0].timestamp_ms,
        message: message.to_string(),
    };
    record.log = vec![line(2, "started"), line(7, "<b>not bold</b>")];

    let spans = history
        .iter()
        .filter(|e| {
            matches!(
                e.kind.name(),
                "TaskScheduled" | "TimerCreated" | "SubOrchestrationInstanceCreated"
            )
        })
        .count();
    let children: Vec<String> = history
        .iter()
        .filter_map(|e| match &e.kind {
            durable::EventKind::SubOrchestrationInstanceCreated { instance_id, .. } => {
                Some(instance_id.0.clone())
            }
            _ => None,
        })
        .collect();
    assert!(!children.is_empty(), "the recorded history starts children");

    let container = fresh_container();
    let events = history.len();
    let _mounted = leptos::mount::mount_to(container.clone(), move || {
        provide_game_dashboard(Services::new(Default::default()));
        view! { <InstanceReport record=record.clone() history=history.clone() /> }
    });
    leptos::task::tick().await;
    let root: web_sys::Element = container.into();

    let count = |css: &str| root.query_selector_all(css).unwrap().length() as usize;
    assert_eq!(count("[data-testid=\"history-row\"]"), events);
    assert_eq!(count("[data-testid=\"timeline-bar\"]"), spans);
    assert_eq!(
        text_of(&root, "instance-status").as_deref(),
        Some("Completed")
    );
    assert_eq!(
        text_of(&root, "instance-output").as_deref(),
        Some("\"done\"")
    );
    let links: Vec<String> = {
        let l = root
            .query_selector_all("[data-testid=\"instance-child\"]")
            .unwrap();
        (0..l.length())
            .map(|i| l.item(i).unwrap().text_content().unwrap())
            .collect()
    };
    assert_eq!(links, children);
    let chart = text_of(&root, "wall-compute-text").unwrap();
    assert!(chart.ends_with("3.3 ms of compute in 4 turns."), "{chart}");
    let export = root
        .query_selector("[data-testid=\"export\"]")
        .unwrap()
        .unwrap()
        .get_attribute("href")
        .unwrap();
    assert!(export.starts_with("data:application/json"));
    assert!(export.contains("ExecutionStarted"));
    // The log, each line with where in the history it was written.
    let logged: Vec<String> = {
        let l = root.query_selector_all("[data-testid=\"log\"] li").unwrap();
        (0..l.length())
            .map(|i| l.item(i).unwrap().text_content().unwrap())
            .collect()
    };
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged[0].ends_with("· event 2 started"), "{logged:?}");
    assert!(
        logged[1].ends_with("· event 7 <b>not bold</b>"),
        "{logged:?}"
    );
    assert_eq!(count("b"), 0, "a logged line is text, never markup");
    // The input shows as text: no element was made of it.
    assert_eq!(count("img"), 0);
    assert!(root
        .text_content()
        .unwrap()
        .contains("<img src=x onerror=alert(1)>"));
}

/// An instance whose history names a version this build lacks (as after a
/// downgrade): queued as if an older or newer build had started it.
async fn queue_start_on_version(store: &durable_web::IdbStore, id: &str, version: u32) {
    use durable::{CommitBatch, EventKind, Message, Store, WorkId, WorkItem};
    let input = serde_json::json!({
        "hero": {"key": "nobody", "name": "Nobody"},
        "config": dungeon::GameConfig::default(),
    });
    let mut row =
        InstanceRecord::pending(InstanceId::new(id), "UserMonitorWorkflow", input.clone(), 0);
    row.incarnation = "0000000000aa".into();
    let start = Message {
        instance_id: row.id.clone(),
        execution: Some(0),
        incarnation: Some(row.incarnation.clone()),
        event: EventKind::ExecutionStarted {
            name: row.name.clone(),
            input,
            parent: None,
            execution: 0,
            incarnation: row.incarnation.clone(),
            version: Some(version),
            restarted: None,
        },
        due_ms: None,
    };
    store
        .commit(CommitBatch {
            instances: vec![row],
            enqueue: vec![WorkItem::message(WorkId(format!("{id}#start")), start)],
            ..Default::default()
        })
        .await
        .expect("queue the start");
}

/// Versioning in the browser: a version this build lacks fails the
/// instance naming it; Rewind from the dashboard runs it again and it
/// fails again the same way (rewinding keeps its version, and this build
/// still lacks it), with the rewind in its history; Restart starts it on
/// the version this build has, and it runs.
#[wasm_bindgen_test]
async fn a_missing_version_fails_naming_it_and_the_dashboard_rewinds_and_restarts_it() {
    use durable_dashboard::InstanceDetail;
    let db = unique("versions");
    let store = fill(&db, Vec::new()).await;
    queue_start_on_version(&store, "nobody:monitor", 9).await;
    let services = services_on(&db).await;
    let container = fresh_container();
    let mounted_services = services;
    let _mounted = leptos::mount::mount_to(container.clone(), move || {
        provide_game_dashboard(mounted_services);
        view! { <InstanceDetail id="nobody:monitor".to_string() /> }
    });
    let root: web_sys::Element = container.into();
    let failure = "UserMonitorWorkflow v9 is not in this build (it has v1)";
    until("the failure", &root, WAIT_MS, || {
        text_of(&root, "instance-failure").as_deref() == Some(failure)
    })
    .await;
    assert_eq!(text_of(&root, "instance-version").as_deref(), Some("v9"));
    assert_eq!(text_of(&root, "instance-status").as_deref(), Some("Failed"));

    click(&root, "[data-testid=\"rewind\"]");
    until("the rewind's result", &root, WAIT_MS, || {
        text_of(&root, "action-result").as_deref() == Some("Rewind: done.")
    })
    .await;
    until("the rewind in the history", &root, WAIT_MS, || {
        root.text_content()
            .unwrap_or_default()
            .contains("ExecutionRewound")
            && text_of(&root, "instance-status").as_deref() == Some("Failed")
    })
    .await;
    let markers = root
        .query_selector_all("[data-testid=\"timeline-marker\"]")
        .unwrap()
        .length();
    assert!(markers >= 1, "the rewind is marked on the timeline");
    assert_eq!(text_of(&root, "instance-failure").as_deref(), Some(failure));

    click(&root, "[data-testid=\"restart\"]");
    until(
        "the restarted instance running on v1",
        &root,
        WAIT_MS,
        || {
            text_of(&root, "instance-version").as_deref() == Some("v1")
                && text_of(&root, "instance-status").as_deref() == Some("Running")
        },
    )
    .await;
    assert_eq!(
        text_of(&root, "action-result").as_deref(),
        Some("Restart: done.")
    );
    assert!(root
        .text_content()
        .unwrap_or_default()
        .contains("restarted from the dashboard (execution 0 was Failed: UserMonitorWorkflow v9"));
    services.shut_down();
}

/// Texts of every element with this test id, in order.
fn texts_of(root: &web_sys::Element, id: &str) -> Vec<String> {
    let l = root
        .query_selector_all(&format!("[data-testid=\"{id}\"]"))
        .unwrap();
    (0..l.length())
        .filter_map(|i| l.item(i).and_then(|n| n.text_content()))
        .collect()
}

/// Pastes `text` into the import page's field and reads it.
async fn import_text(root: &web_sys::Element, text: &str) {
    let field: web_sys::HtmlTextAreaElement = root
        .query_selector("[data-testid=\"import-text\"]")
        .unwrap()
        .expect("the import field")
        .dyn_into()
        .unwrap();
    field.set_value(text);
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    click(root, "[data-testid=\"import-read\"]");
    leptos::task::tick().await;
}

/// An instance exported as a file, imported (here pasted) in a page with
/// no store of it: its history steps through, showing at each event what
/// the code waited on and what answered it, and "Replays on this build"
/// says yes; a history this build does not replay says where; a file of a
/// newer format is refused, naming it.
#[wasm_bindgen_test]
async fn an_exported_instance_imports_steps_through_and_checks_its_replay() {
    use durable_dashboard::ImportInstance;

    let history = recorded("parallel");
    let mut record = InstanceRecord::pending(
        InstanceId::new("won:parallel"),
        "UserParallelWorkflow",
        history
            .iter()
            .find_map(|e| match &e.kind {
                durable::EventKind::ExecutionStarted { input, .. } => Some(input.clone()),
                _ => None,
            })
            .expect("a start"),
        history[0].timestamp_ms,
    );
    record.status = RuntimeStatus::Completed;
    let file = durable::export_instance(&record, &history);
    let container = fresh_container();
    let _mounted = leptos::mount::mount_to(container.clone(), || {
        provide_game_dashboard(Services::new(Default::default()));
        view! { <ImportInstance /> }
    });
    let root: web_sys::Element = container.into();

    import_text(&root, &file).await;
    assert_eq!(
        text_of(&root, "imported-id").as_deref(),
        Some("Imported: won:parallel")
    );
    let first_task = history
        .iter()
        .position(|e| e.kind.name() == "TaskScheduled")
        .expect("an activity");
    let answer = history
        .iter()
        .find(|e| e.kind.answers() == Some(history[first_task].event_id))
        .expect("its answer")
        .event_id;
    let scrubber: web_sys::HtmlInputElement = root
        .query_selector("[data-testid=\"step-scrubber\"]")
        .unwrap()
        .expect("the step scrubber")
        .dyn_into()
        .unwrap();
    scrubber.set_value(&first_task.to_string());
    scrubber
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
    let waits = texts_of(&root, "step-wait");
    assert!(
        waits
            .iter()
            .any(|w| w.starts_with("activity ") && w.ends_with(&format!("answered by #{answer}"))),
        "{waits:?}"
    );
    click(&root, "[data-testid=\"check-replay\"]");
    leptos::task::tick().await;
    let verdict = text_of(&root, "replay-verdict").unwrap_or_default();
    assert!(
        verdict.starts_with("Yes: this build replays all"),
        "{verdict}"
    );

    // The same instance, its first activity renamed: this build's code
    // does not replay it.
    let mut tampered = history.clone();
    if let durable::EventKind::TaskScheduled { name, .. } = &mut tampered[first_task].kind {
        *name = "SomethingElse".into();
    }
    import_text(&root, &durable::export_instance(&record, &tampered)).await;
    let error = text_of(&root, "step-error").unwrap_or_default();
    assert!(error.contains("SomethingElse"), "{error}");
    click(&root, "[data-testid=\"check-replay\"]");
    leptos::task::tick().await;
    let verdict = text_of(&root, "replay-verdict").unwrap_or_default();
    assert!(verdict.starts_with("No: "), "{verdict}");

    // A file of a newer format: refused, nothing shown of it.
    let newer = file.replacen(
        &format!("\"format\": {}", durable::HISTORY_FORMAT),
        "\"format\": 99",
        1,
    );
    assert_ne!(newer, file, "the format is in the file");
    import_text(&root, &newer).await;
    let error = text_of(&root, "import-error").unwrap_or_default();
    assert!(error.contains("format 99"), "{error}");
    assert_eq!(text_of(&root, "imported-id"), None);
}

/// The live list never moves under the pointer: while the pointer is on the
/// table a live update waits (and says so), and shows when it leaves; rows
/// update in place, so a link or sort button found earlier is still the
/// element on the page.
#[wasm_bindgen_test]
async fn a_live_update_waits_for_the_pointer_and_keeps_the_elements() {
    let db = unique("pointer");
    let (services, _mounted, root) = list_of(&db, sample_instances(3, 1_700_000_000_000)).await;
    until("the rows", &root, WAIT_MS, || {
        instance_rows(&root).len() == 3
    })
    .await;
    let find = |css: &str| root.query_selector(css).unwrap().expect(css);
    let link = find("[data-testid=\"instance-row\"] a");
    let sort = find("[data-testid=\"sort-created\"]");
    let table = find(".dashboard__table-wrap");
    let pointer = |kind: &str| {
        table
            .dispatch_event(&web_sys::Event::new(kind).unwrap())
            .unwrap();
    };

    pointer("pointerenter");
    let rt = services.runtime().expect("the runtime is up");
    rt.game
        .new_adventurer("Zed")
        .await
        .expect("a new adventurer");
    until("the update to wait", &root, WAIT_MS, || {
        text_of(&root, "live-waiting").is_some()
    })
    .await;
    assert_eq!(
        instance_rows(&root).len(),
        3,
        "nothing moved under the pointer"
    );
    pointer("pointerleave");
    until("the update to show", &root, WAIT_MS, || {
        instance_rows(&root)
            .iter()
            .any(|(id, _)| id.starts_with("zed:"))
    })
    .await;
    assert_eq!(text_of(&root, "live-waiting"), None);
    assert!(link.is_connected(), "the row's link is the same element");
    assert!(sort.is_connected(), "the sort button is the same element");
    set_hash("");
}

/// Selects the rows of these instances (none selected before), and waits
/// until the page counts them.
async fn select(root: &web_sys::Element, ids: &[&str]) {
    select_rows(root, ids);
    until_selected(root, ids.len()).await;
}

/// Waits until the page says `n` rows are selected.
async fn until_selected(root: &web_sys::Element, n: usize) {
    let said = format!("{n} selected");
    until(&said, root, WAIT_MS, || {
        text_of(root, "selected-count").as_deref() == Some(said.as_str())
    })
    .await;
}

/// Clicks the rows of these instances.
fn select_rows(root: &web_sys::Element, ids: &[&str]) {
    for id in ids {
        let css = format!(
            "[data-testid=\"instance-row\"][data-id=\"{id}\"] [data-testid=\"row-select\"]"
        );
        click(root, &css);
    }
}

/// The dashboard as a tool: an instance started from the registry's names
/// with a JSON input (invalid JSON starts nothing), and actions on the
/// selected rows, each with its result beside it — a suspend of two, a
/// purge refused for a running instance and said why, a terminate that
/// asks first — and a selection dropped when the view changes.
#[wasm_bindgen_test]
async fn the_dashboard_starts_instances_and_acts_on_selected_rows() {
    let db = unique("tools");
    let rows = sample_instances(8, 1_700_000_000_000);
    let running: Vec<String> = rows
        .iter()
        .filter(|r| r.status == RuntimeStatus::Running)
        .map(|r| r.id.0.clone())
        .collect();
    assert!(running.len() >= 2, "{running:?}");
    let (_, _mounted, root) = list_of(&db, rows).await;
    until("the rows", &root, WAIT_MS, || {
        instance_rows(&root).len() == 8
    })
    .await;

    // Start: invalid JSON is refused, then a valid start shows its row.
    let field = |id: &str| -> web_sys::HtmlElement {
        root.query_selector(&format!("[data-testid=\"{id}\"]"))
            .unwrap()
            .expect(id)
            .dyn_into()
            .unwrap()
    };
    let type_into = |id: &str, text: &str| {
        let f = field(id);
        let _ = js_sys::Reflect::set(&f, &"value".into(), &text.into());
        f.dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    };
    type_into("start-id", "started-here");
    type_into("start-input", "{oops");
    click(&root, "[data-testid=\"start-instance\"]");
    until("the refusal", &root, WAIT_MS, || {
        text_of(&root, "start-result").is_some_and(|t| t.starts_with("The input is not valid JSON"))
    })
    .await;
    type_into("start-input", "{\"hero\": 1}");
    click(&root, "[data-testid=\"start-instance\"]");
    until("the start", &root, WAIT_MS, || {
        text_of(&root, "start-result").as_deref() == Some("Started started-here.")
    })
    .await;
    until("its row", &root, WAIT_MS, || {
        instance_rows(&root)
            .iter()
            .any(|(id, _)| id == "started-here")
    })
    .await;

    // Suspend two running instances at once.
    select(&root, &[&running[0], &running[1]]).await;
    click(&root, "[data-testid=\"batch-suspend\"]");
    until("the suspend", &root, WAIT_MS, || {
        text_of(&root, "batch-result").as_deref() == Some("Suspended 2 of 2.")
    })
    .await;
    until_selected(&root, 0).await;
    // A purge (asked first) of a running instance is refused, and said why.
    let _ = js_sys::eval("window.confirm = () => true");
    select(&root, &[&running[0]]).await;
    click(&root, "[data-testid=\"batch-purge\"]");
    until("the purge refused", &root, WAIT_MS, || {
        text_of(&root, "batch-result").is_some_and(|t| {
            t.starts_with("Purged 0 of 1.")
                && t.contains(&running[0])
                && t.contains("terminate it first")
        })
    })
    .await;
    // Terminate asks first: declined, nothing happens (and had it gone on,
    // the accepted terminate below would find the instance terminated).
    let _ = js_sys::eval(
        "window.asked = 0; window.confirm = () => { window.asked += 1; return false; }",
    );
    select(&root, &[&running[1]]).await;
    click(&root, "[data-testid=\"batch-terminate\"]");
    leptos::task::tick().await;
    until_selected(&root, 1).await;
    assert!(
        text_of(&root, "batch-result").is_some_and(|t| t.starts_with("Purged")),
        "a declined terminate did nothing"
    );
    let asked = js_sys::eval("window.asked").ok().and_then(|v| v.as_f64());
    assert_eq!(asked, Some(1.0), "the terminate asked first");
    let _ = js_sys::eval("window.confirm = () => true");
    click(&root, "[data-testid=\"batch-terminate\"]");
    until("the terminate", &root, WAIT_MS, || {
        text_of(&root, "batch-result").as_deref() == Some("Terminated 1 of 1.")
    })
    .await;
    // Another sort: the selection, out of sight, is dropped.
    select(&root, &[&running[0]]).await;
    click(&root, "[data-testid=\"sort-name\"]");
    until_selected(&root, 0).await;
    set_hash("");
}

/// The list's "waiting on" column: what each unfinished instance waits on,
/// from a replay of its history — the confirmation, its approval event and
/// its timer.
#[wasm_bindgen_test]
async fn the_list_says_what_each_instance_waits_on() {
    let (services, _mounted, root) = list_of(&unique("waiting"), Vec::new()).await;
    let rt = services.runtime().expect("the runtime is up");
    rt.game
        .new_adventurer("Wai")
        .await
        .expect("a new adventurer");
    let waits = || {
        root.query_selector("[data-testid=\"instance-row\"][data-id=\"wai:confirm\"] [data-testid=\"instance-waiting\"]")
            .unwrap()
            .and_then(|c| c.text_content())
            .unwrap_or_default()
    };
    until("the confirmation's waits", &root, WAIT_MS, || {
        let w = waits();
        w.contains("event ApprovalTask") && w.contains("timer ")
    })
    .await;
    set_hash("");
}

/// The histogram over the list counts every match by status, and follows
/// a filter.
#[wasm_bindgen_test]
async fn the_histogram_counts_every_match_by_status() {
    let db = unique("histogram");
    let rows = sample_instances(120, 1_700_000_000_000);
    let running = rows
        .iter()
        .filter(|r| r.status == RuntimeStatus::Running)
        .count();
    let (_, _mounted, root) = list_of(&db, rows).await;
    let counts = || {
        let bars = root
            .query_selector_all("[data-testid=\"histogram-bar\"]")
            .unwrap();
        let mut by_status = std::collections::BTreeMap::<String, usize>::new();
        for i in 0..bars.length() {
            let bar: web_sys::Element = bars.item(i).unwrap().dyn_into().unwrap();
            let n: usize = bar.get_attribute("data-count").unwrap().parse().unwrap();
            *by_status
                .entry(bar.get_attribute("data-status").unwrap())
                .or_default() += n;
        }
        by_status
    };
    until("all 120 in the chart", &root, WAIT_MS, || {
        counts().values().sum::<usize>() == 120
    })
    .await;
    assert_eq!(counts().get("Running"), Some(&running));
    set_hash("#/dashboard?status=Running");
    until("the filtered chart", &root, WAIT_MS, || {
        let c = counts();
        c.len() == 1 && c.get("Running") == Some(&running)
    })
    .await;
    set_hash("");
}
