//! The one vocabulary of sports (`kb/sports.toml`, issue 14 item 5): labels in several
//! languages and spellings, FIT's sport and sub-sport names, Strava's activity types, a GPX
//! whose route and track disagree, and the label as written kept beside the sport.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_ingest::strava::parse_activities_csv;
use hamstride_ingest::vocab::{from_fit, from_label};
use hamstride_ingest::{gpx, tcx};

/// (label, sport, kind)
const LABELS: &[(&str, &str, Option<&str>)] = &[
    // English
    ("Running", "running", None),
    ("run", "running", None),
    ("trail running", "running", Some("trail")),
    ("Treadmill", "running", Some("treadmill")),
    ("indoor_running", "running", Some("treadmill")),
    ("walking", "walking", None),
    ("Hiking", "hiking", None),
    ("cycling", "cycling", None),
    ("mountain biking", "cycling", Some("mountain")),
    ("MTB", "cycling", Some("mountain")),
    ("Indoor Cycling", "cycling", Some("indoor")),
    ("swimming", "swimming", None),
    ("open water swimming", "swimming", Some("open_water")),
    ("strength training", "strength", None),
    ("rowing", "rowing", None),
    ("cross-country skiing", "skiing", Some("nordic")),
    // German
    ("Laufen", "running", None),
    ("Traillauf", "running", Some("trail")),
    ("Laufband", "running", Some("treadmill")),
    ("Radfahren", "cycling", None),
    ("Wandern", "hiking", None),
    ("Schwimmen", "swimming", None),
    ("Straßenlauf", "running", None),
    // French, with and without accents
    ("course à pied", "running", None),
    ("Course a pied", "running", None),
    ("COURSE_A_PIED", "running", None),
    ("randonnée", "hiking", None),
    ("vélo", "cycling", None),
    ("VTT", "cycling", Some("mountain")),
    ("natation", "swimming", None),
    // Spanish
    ("correr", "running", None),
    ("ciclismo", "cycling", None),
    ("senderismo", "hiking", None),
    ("cinta de correr", "running", Some("treadmill")),
    // Italian
    ("corsa", "running", None),
    ("corsa in montagna", "running", Some("trail")),
    ("nuoto", "swimming", None),
    ("escursionismo", "hiking", None),
    // Dutch
    ("hardlopen", "running", None),
    ("fietsen", "cycling", None),
    ("wandelen", "walking", None),
    ("zwemmen", "swimming", None),
    // Strava's GPX numbers
    ("9", "running", None),
    ("1", "cycling", None),
    ("16", "swimming", None),
    ("17", "cycling", Some("indoor")),
    // Not in the vocabulary, and nothing at all
    ("Parkour", "other", None),
    ("42", "other", None),
    ("", "unknown", None),
    ("  ", "unknown", None),
];

#[test]
fn labels_in_several_languages_read_as_one_vocabulary() {
    for &(label, sport, kind) in LABELS {
        let n = from_label(Some(label)).unwrap();
        assert_eq!(
            (n.sport.as_str(), n.kind.as_deref()),
            (sport, kind),
            "{label:?}"
        );
        // The text as written is kept, whatever it meant; blank text is no label.
        let kept = Some(label.trim()).filter(|l| !l.is_empty());
        assert_eq!(n.label.as_deref(), kept, "{label:?}");
    }
}

#[test]
fn fit_sport_and_sub_sport_names() {
    let cases: &[(&str, Option<&str>, &str, Option<&str>)] = &[
        ("running", None, "running", None),
        ("running", Some("generic"), "running", None),
        ("running", Some("street"), "running", None),
        ("running", Some("trail"), "running", Some("trail")),
        ("running", Some("treadmill"), "running", Some("treadmill")),
        (
            "running",
            Some("virtual_activity"),
            "running",
            Some("treadmill"),
        ),
        (
            "fitness_equipment",
            Some("treadmill"),
            "running",
            Some("treadmill"),
        ),
        (
            "fitness_equipment",
            Some("indoor_cycling"),
            "cycling",
            Some("indoor"),
        ),
        ("fitness_equipment", Some("elliptical"), "other", None),
        ("cycling", Some("mountain"), "cycling", Some("mountain")),
        ("cycling", Some("road"), "cycling", None),
        ("e_biking", None, "cycling", Some("e_bike")),
        ("swimming", Some("lap_swimming"), "swimming", Some("pool")),
        (
            "swimming",
            Some("open_water"),
            "swimming",
            Some("open_water"),
        ),
        ("training", Some("strength_training"), "strength", None),
        ("training", Some("yoga"), "other", None),
        ("walking", Some("casual_walking"), "walking", None),
        ("hiking", None, "hiking", None),
        ("cross_country_skiing", None, "skiing", Some("nordic")),
        (
            "alpine_skiing",
            Some("backcountry"),
            "skiing",
            Some("backcountry"),
        ),
        ("rowing", Some("indoor_rowing"), "rowing", None),
        ("generic", None, "unknown", None),
        ("multisport", None, "other", None),
        ("sport_70", None, "other", None),
    ];
    for &(fit, sub, sport, kind) in cases {
        let n = from_fit(Some(fit), sub).unwrap();
        assert_eq!(
            (n.sport.as_str(), n.kind.as_deref()),
            (sport, kind),
            "{fit}/{sub:?}"
        );
        let label = sub.map_or_else(|| fit.to_string(), |s| format!("{fit}/{s}"));
        assert_eq!(n.label, Some(label), "the FIT names are kept");
    }
    let none = from_fit(None, Some("trail")).unwrap();
    assert_eq!((none.sport.as_str(), none.label), ("unknown", None));
}

#[test]
fn strava_activity_types() {
    let types: &[(&str, &str, Option<&str>)] = &[
        ("Run", "running", None),
        ("TrailRun", "running", Some("trail")),
        ("VirtualRun", "running", Some("treadmill")),
        ("Ride", "cycling", None),
        ("MountainBikeRide", "cycling", Some("mountain")),
        ("GravelRide", "cycling", Some("gravel")),
        ("EBikeRide", "cycling", Some("e_bike")),
        ("EMountainBikeRide", "cycling", Some("e_bike")),
        ("VirtualRide", "cycling", Some("indoor")),
        ("Walk", "walking", None),
        ("Hike", "hiking", None),
        ("Swim", "swimming", None),
        ("WeightTraining", "strength", None),
        ("Crossfit", "strength", None),
        ("Workout", "other", None),
        ("Yoga", "other", None),
        ("Rowing", "rowing", None),
        ("AlpineSki", "skiing", Some("alpine")),
        ("NordicSki", "skiing", Some("nordic")),
        ("BackcountrySki", "skiing", Some("backcountry")),
        ("Snowboard", "skiing", None),
        ("Kitesurf", "other", None),
    ];
    let mut csv = String::from("Activity ID,Activity Type\n");
    for (i, (t, _, _)) in types.iter().enumerate() {
        csv.push_str(&format!("{i},{t}\n"));
    }
    let rows = parse_activities_csv(csv.as_bytes()).unwrap();
    assert_eq!(rows.len(), types.len());
    for (row, &(t, sport, kind)) in rows.iter().zip(types) {
        assert_eq!(
            (row.sport.as_str(), row.sub_sport.as_deref()),
            (sport, kind),
            "{t}"
        );
        assert_eq!(row.activity_type.as_deref(), Some(t), "kept as written");
    }
}

/// A GPX with a route and a track, each with its own `<type>`, the route first or last.
fn gpx_route_and_track(route_type: &str, track_type: Option<&str>, route_first: bool) -> String {
    let route = format!(
        "<rte><name>Plan</name><type>{route_type}</type>\
         <rtept lat=\"51.5\" lon=\"-0.1\"></rtept></rte>"
    );
    let track_type = track_type.map_or(String::new(), |t| format!("<type>{t}</type>"));
    let mut points = String::new();
    for i in 0..30 {
        points.push_str(&format!(
            "<trkpt lat=\"{:.5}\" lon=\"-0.1\"><time>2024-05-01T07:00:{i:02}Z</time></trkpt>",
            51.5 + f64::from(i) * 0.00002
        ));
    }
    let track = format!("<trk><name>Done</name>{track_type}<trkseg>{points}</trkseg></trk>");
    let (a, b) = if route_first {
        (route, track)
    } else {
        (track, route)
    };
    format!(
        r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">{a}{b}</gpx>"#
    )
}

#[test]
fn a_gpx_track_type_beats_a_route_type() {
    for route_first in [true, false] {
        let doc = gpx_route_and_track("cycling", Some("Trail Run"), route_first);
        let a = gpx::decode(doc.as_bytes()).unwrap();
        assert_eq!(a.sport, "running", "route first: {route_first}");
        assert_eq!(a.sub_sport.as_deref(), Some("trail"));
        assert_eq!(a.sport_label.as_deref(), Some("Trail Run"));
        assert_eq!(a.sessions[0].sport, "running");
    }
    // With no track type, the route's is all there is.
    let doc = gpx_route_and_track("Radfahren", None, true);
    let a = gpx::decode(doc.as_bytes()).unwrap();
    assert_eq!(a.sport, "cycling");
    assert_eq!(a.sport_label.as_deref(), Some("Radfahren"));
}

#[test]
fn an_unknown_label_is_other_and_kept_as_written() {
    let doc = gpx_route_and_track("x", Some("Stand-up comedy"), false);
    let a = gpx::decode(doc.as_bytes()).unwrap();
    assert_eq!(a.sport, "other");
    assert_eq!(a.sport_label.as_deref(), Some("Stand-up comedy"));

    let tcx_doc = r#"<?xml version="1.0"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Hardlopen"><Id>2024-05-01T07:00:00Z</Id>
<Lap StartTime="2024-05-01T07:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>
<DistanceMeters>200</DistanceMeters></Lap></Activity></Activities></TrainingCenterDatabase>"#;
    let acts = tcx::decode(tcx_doc.as_bytes()).unwrap();
    assert_eq!(acts[0].sport, "running");
    assert_eq!(acts[0].sport_label.as_deref(), Some("Hardlopen"));
}

#[test]
fn running_limits_cover_trail_and_treadmill_runs() {
    // The limits of kb/import.toml are per sport; a kind of running is running, so a trail
    // run gets the running limits, not the wider default ones.
    let rules = hamstride_ingest::plausible::rules().unwrap();
    for label in ["TrailRun", "Laufband", "course à pied"] {
        let n = from_label(Some(label)).unwrap();
        let lim = rules.limits(&n.sport).unwrap();
        assert_eq!(lim.sport, "running", "{label}");
    }
    let mtb = from_label(Some("mtb")).unwrap();
    assert_eq!(rules.limits(&mtb.sport).unwrap().sport, "cycling");
}
