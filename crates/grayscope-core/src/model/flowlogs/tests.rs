use super::*;
use crate::model::zones::Zone;
use proptest::prelude::*;

const TCP_FLAGS_FORMAT: &str = "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}";
const NAT_FORMAT: &str =
    "${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}";
const TGW_FORMAT: &str = "${version} ${interface-id} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${action} ${log-status}";
const SERVICE_FORMAT: &str = "${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}";

/// Every record on the VPC user guide page "Flow log record examples", with its format
/// (the page's trailing `#comments` are annotations, not part of the records).
fn guide_examples() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "",
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
        ),
        (
            "",
            "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
        ),
        (
            "",
            "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
        ),
        (
            "",
            "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
        ),
        (
            "",
            "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
        ),
        (
            "",
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK",
        ),
        (
            "",
            "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
        ),
        (
            TCP_FLAGS_FORMAT,
            "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK",
        ),
        (
            TCP_FLAGS_FORMAT,
            "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43416 10.0.0.62 52.213.180.42 6 376 7 1566848875 1566848933 ACCEPT 18 OK",
        ),
        (
            TCP_FLAGS_FORMAT,
            "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43418 5001 52.213.180.42 10.0.0.62 6 100701 70 1566848875 1566848933 ACCEPT 2 OK",
        ),
        (
            TCP_FLAGS_FORMAT,
            "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43418 10.0.0.62 52.213.180.42 6 632 12 1566848875 1566848933 ACCEPT 18 OK",
        ),
        (
            TCP_FLAGS_FORMAT,
            "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43418 10.0.0.62 52.213.180.42 6 63388 1219 1566848933 1566849113 ACCEPT 1 OK",
        ),
        (
            TCP_FLAGS_FORMAT,
            "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43418 5001 52.213.180.42 10.0.0.62 6 23294588 15774 1566848933 1566849113 ACCEPT 1 OK",
        ),
        (
            TCP_FLAGS_FORMAT,
            "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43638 5001 52.213.180.42 10.0.0.62 6 1260 17 1566933133 1566933193 ACCEPT 3 OK",
        ),
        // Two spaces after 43638: the page has them; runs of spaces separate fields.
        (
            TCP_FLAGS_FORMAT,
            "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43638  10.0.0.62 52.213.180.42 6 967 14 1566933133 1566933193 ACCEPT 19 OK",
        ),
        (
            NAT_FORMAT,
            "- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5",
        ),
        (
            NAT_FORMAT,
            "- eni-1235b8ca123456789 10.0.0.220 203.0.113.5 10.0.0.220 203.0.113.5",
        ),
        (
            NAT_FORMAT,
            "- eni-1235b8ca123456789 203.0.113.5 10.0.0.220 203.0.113.5 10.0.0.220",
        ),
        (
            NAT_FORMAT,
            "- eni-1235b8ca123456789 10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5",
        ),
        (
            NAT_FORMAT,
            "i-01234567890123456 eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 10.0.1.5 203.0.113.5",
        ),
        (
            NAT_FORMAT,
            "i-01234567890123456 eni-1111aaaa2222bbbb3 203.0.113.5 10.0.1.5 203.0.113.5 10.0.1.5",
        ),
        (
            TGW_FORMAT,
            "3 eni-33333333333333333 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb i-01234567890123456 10.20.33.164 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK",
        ),
        (
            TGW_FORMAT,
            "3 eni-33333333333333333 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb i-01234567890123456 10.40.2.236 10.20.33.164 80 39812 6 19 IPv4 10.40.2.236 10.20.33.164 ACCEPT OK",
        ),
        (
            TGW_FORMAT,
            "3 eni-11111111111111111 123456789010 vpc-abcdefab012345678 subnet-11111111aaaaaaaaa - 10.40.1.175 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK",
        ),
        (
            TGW_FORMAT,
            "3 eni-22222222222222222 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb - 10.40.2.236 10.40.2.31 80 39812 6 19 IPv4 10.40.2.236 10.20.33.164 ACCEPT OK",
        ),
        (
            SERVICE_FORMAT,
            "5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK",
        ),
        (
            SERVICE_FORMAT,
            "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK",
        ),
    ]
}

#[test]
fn every_user_guide_example_parses() {
    for (spec, line) in guide_examples() {
        let format = LogFormat::parse(spec).expect("format");
        let r = parse_record(&format, line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(
            r.interface_id.is_some(),
            "{line}: every example names its interface"
        );
    }
}

#[test]
fn default_reject_record_fields() {
    let r = parse_record(
        &LogFormat::default(),
        "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
    )
    .expect("parses");
    assert_eq!(r.version, Some(2));
    assert_eq!(r.srcaddr, Some("172.31.9.69".parse().expect("ip")));
    assert_eq!(r.dstport, Some(3389));
    assert_eq!(r.protocol, Some(6));
    assert_eq!(r.bytes, Some(4249));
    assert_eq!(r.action, Some(FlowAction::Reject));
    assert_eq!(r.log_status, Some(LogStatus::Ok));
}

#[test]
fn nodata_and_skipdata_have_no_addresses() {
    for (status, line) in [
        (
            LogStatus::NoData,
            "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
        ),
        (
            LogStatus::SkipData,
            "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
        ),
    ] {
        let r = parse_record(&LogFormat::default(), line).expect("parses");
        assert_eq!(r.log_status, Some(status));
        assert_eq!((r.srcaddr, r.dstaddr, r.action), (None, None, None));
        assert_eq!(r.start, Some(1431280876));
    }
}

#[test]
fn ipv6_addresses_parse() {
    let (_, line) = guide_examples()[6];
    let r = parse_record(&LogFormat::default(), line).expect("parses");
    assert!(matches!(r.srcaddr, Some(IpAddr::V6(_))));
    assert_eq!(r.dstport, Some(22));
}

#[test]
fn custom_fields_land_where_they_belong() {
    let format = LogFormat::parse(SERVICE_FORMAT).expect("format");
    assert_eq!(format.version(), 5);
    let r = parse_record(&format, guide_examples()[25].1).expect("parses");
    assert_eq!(r.az_id.as_deref(), Some("apse2-az3"));
    assert_eq!(r.tcp_flags, Some(19));
    assert_eq!(r.subnet_id.as_deref(), Some("subnet-aaaaaaaa012345678"));
    assert!(
        r.other
            .contains(&("pkt-src-aws-service".into(), "S3".into()))
    );
    assert!(
        r.other
            .contains(&("flow-direction".into(), "ingress".into()))
    );
    // The NAT example: instance-id `-` is absent, pkt-dstaddr differs from dstaddr.
    let nat = LogFormat::parse(NAT_FORMAT).expect("format");
    let r = parse_record(&nat, guide_examples()[15].1).expect("parses");
    assert_eq!(r.instance_id, None);
    assert_ne!(r.dstaddr, r.pkt_dstaddr);
}

#[test]
fn v7_ecs_fields_are_known() {
    let f = LogFormat::parse("${version} ${interface-id} ${ecs-cluster-name} ${ecs-task-id}")
        .expect("format");
    assert_eq!(f.version(), 7);
    let r = parse_record(&f, "7 eni-1 prod-cluster 0a1b2c").expect("parses");
    assert!(
        r.other
            .contains(&("ecs-cluster-name".into(), "prod-cluster".into()))
    );
}

#[test]
fn bad_records_say_why() {
    let f = LogFormat::default();
    assert!(parse_record(&f, "2 1 eni-1").is_err());
    let e = parse_record(&f, "2 123 eni-1 10.0.0.1 nope 1 2 6 1 1 1 1 REJECT OK")
        .expect_err("bad address");
    assert!(e.0.contains("dstaddr"), "{e}");
    assert!(parse_record(&f, "2 123 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 DROP OK").is_err());
    assert!(LogFormat::parse("${version} srcaddr").is_err());
}

#[test]
fn format_spec_round_trips_and_default_is_recognised() {
    let f = LogFormat::parse(TCP_FLAGS_FORMAT).expect("format");
    assert_eq!(LogFormat::parse(&f.spec()).expect("again"), f);
    assert!(!f.is_default());
    let d = LogFormat::parse(&LogFormat::default().spec()).expect("default");
    assert!(d.is_default());
    assert!(LogFormat::parse("").expect("empty").is_default());
}

#[test]
fn insights_names_match_the_discovered_ones() {
    let names: Vec<String> = DEFAULT_FIELDS.iter().map(|f| insights_name(f)).collect();
    assert_eq!(
        names,
        [
            "version",
            "accountId",
            "interfaceId",
            "srcAddr",
            "dstAddr",
            "srcPort",
            "dstPort",
            "protocol",
            "packets",
            "bytes",
            "start",
            "end",
            "action",
            "logStatus"
        ]
    );
    assert_eq!(insights_name("pkt-srcaddr"), "pktSrcAddr");
    assert_eq!(insights_name("az-id"), "azId");
}

#[test]
fn default_format_query_has_no_parse() {
    let q = tally_query(&LogFormat::default());
    assert_eq!(
        q,
        "filter action = \"REJECT\"\n| stats count(*) as rejects, sum(bytes) as rejectedBytes by srcAddr, dstAddr, dstPort, protocol, interfaceId\n| sort rejects desc\n| limit 10000"
    );
}

#[test]
fn custom_format_query_parses_every_field_first() {
    let f = LogFormat::parse(NAT_FORMAT).expect("format");
    let q = tally_query(&f);
    assert!(
        q.starts_with(
            "parse @message \"* * * * * *\" as instanceId, interfaceId, srcAddr, dstAddr, pktSrcAddr, pktDstAddr\n| "
        ),
        "{q}"
    );
    // No port, protocol or bytes in this format: not grouped by, not summed.
    assert!(
        q.contains("stats count(*) as rejects by srcAddr, dstAddr, interfaceId"),
        "{q}"
    );
}

#[test]
fn records_query_filters_the_row() {
    let key = TallyKey {
        src: "10.20.2.31".into(),
        dst: "10.20.11.25".into(),
        dst_port: Some(5432),
        protocol: Some(6),
        interface: None,
    };
    let q = records_query(&LogFormat::default(), &key, Pivot::Pair, 50);
    assert!(q.contains("filter action = \"REJECT\" and srcAddr = \"10.20.2.31\" and dstAddr = \"10.20.11.25\" and dstPort = 5432 and protocol = 6"), "{q}");
    assert!(q.ends_with("limit 50"));
    let by_src = records_query(&LogFormat::default(), &key, Pivot::Source, 50);
    assert!(
        by_src.contains("filter action = \"REJECT\" and srcAddr = \"10.20.2.31\"\n"),
        "{by_src}"
    );
}

fn at(s: i64) -> DateTime<Utc> {
    chrono::TimeZone::timestamp_opt(&Utc, s, 0)
        .single()
        .expect("time")
}

#[test]
fn refresh_ranges_split_settled_and_recent() {
    let lag = chrono::Duration::minutes(10);
    let r = refresh_ranges(at(0), None, at(3600), lag);
    assert_eq!(
        r,
        vec![
            (at(0), at(3000), Part::Settled),
            (at(3001), at(3600), Part::Recent)
        ]
    );
    let r = refresh_ranges(at(0), Some(at(3000)), at(3660), lag);
    assert_eq!(
        r,
        vec![
            (at(3001), at(3060), Part::Settled),
            (at(3061), at(3660), Part::Recent)
        ]
    );
    // Refreshed again within the lag: nothing new is settled.
    let r = refresh_ranges(at(0), Some(at(3060)), at(3630), lag);
    assert_eq!(r, vec![(at(3061), at(3630), Part::Recent)]);
}

fn row(src: &str, dst: &str, port: u16, n: u64) -> TallyRow {
    TallyRow {
        key: TallyKey {
            src: src.into(),
            dst: dst.into(),
            dst_port: Some(port),
            protocol: Some(6),
            interface: Some("eni-db".into()),
        },
        count: Count {
            rejects: n,
            bytes: n * 60,
        },
    }
}

#[test]
fn result_rows_map_to_tally_rows() {
    let r: ResultRow = vec![
        ("srcAddr".into(), "10.0.0.1".into()),
        ("dstAddr".into(), "10.0.0.2".into()),
        ("dstPort".into(), "5432".into()),
        ("protocol".into(), "6".into()),
        ("interfaceId".into(), "eni-1".into()),
        ("rejects".into(), "12".into()),
        ("rejectedBytes".into(), "720".into()),
    ];
    let custom: ResultRow = vec![("@message".into(), "x".into())];
    let rows = tally_rows(&[r, custom]);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].count,
        Count {
            rejects: 12,
            bytes: 720
        }
    );
    assert_eq!(rows[0].key.dst_port, Some(5432));
}

fn network() -> (Network, ZoneMap) {
    let zones = ZoneMap::new(vec![
        Zone {
            name: "us-east-1a".into(),
            id: "use1-az4".into(),
            state: "available".into(),
        },
        Zone {
            name: "us-east-1b".into(),
            id: "use1-az6".into(),
            state: "available".into(),
        },
    ]);
    let mut n = Network::default();
    n.add_subnets(vec![
        SubnetInfo {
            id: "subnet-app-b".into(),
            vpc_id: "vpc-1".into(),
            cidrs: vec!["10.20.2.0/24".into(), "2600:1f18:1:2::/64".into()],
            zone_id: Some("use1-az6".into()),
            zone_name: Some("us-east-1b".into()),
        },
        SubnetInfo {
            id: "subnet-wide".into(),
            vpc_id: "vpc-1".into(),
            cidrs: vec!["10.20.0.0/16".into()],
            zone_id: None,
            zone_name: Some("us-east-1a".into()),
        },
    ]);
    n.add_interfaces(vec![InterfaceInfo {
        id: "eni-db".into(),
        ips: vec!["10.20.11.25".into()],
        subnet_id: Some("subnet-db-a".into()),
        zone_id: None,
        zone_name: Some("us-east-1a".into()),
        resource: Resource {
            kind: ResourceKind::Database,
            name: "orders-db".into(),
        },
    }]);
    (n, zones)
}

#[test]
fn addresses_are_placed_by_interface_then_subnet_then_outside() {
    let (n, zones) = network();
    let db = n.place("10.20.11.25", &zones);
    assert_eq!(db.placed_by, PlacedBy::Interface);
    assert_eq!(db.zone_id.as_deref(), Some("use1-az4"), "name mapped to ID");
    assert_eq!(
        db.resource.as_ref().map(|r| r.kind.clone()),
        Some(ResourceKind::Database)
    );
    let app = n.place("10.20.2.31", &zones);
    assert_eq!(app.placed_by, PlacedBy::Subnet);
    assert_eq!(
        app.subnet_id.as_deref(),
        Some("subnet-app-b"),
        "most specific subnet"
    );
    assert_eq!(app.zone_id.as_deref(), Some("use1-az6"));
    let v6 = n.place("2600:1f18:1:2::17", &zones);
    assert_eq!(v6.subnet_id.as_deref(), Some("subnet-app-b"));
    let scanner = n.place("198.51.100.7", &zones);
    assert_eq!(scanner.placed_by, PlacedBy::Outside);
    assert_eq!(scanner.zone_label(), "ext");
    assert_eq!(n.place("not-an-ip", &zones).placed_by, PlacedBy::Outside);
}

#[test]
fn pivots_regroup_and_mark_the_sick_zone() {
    let (n, zones) = network();
    let rows = vec![
        row("10.20.2.31", "10.20.11.25", 5432, 40),
        row("10.20.2.32", "10.20.11.25", 5432, 30),
        row("198.51.100.7", "10.20.11.25", 22, 5),
    ];
    let places: HashMap<String, Place> =
        ["10.20.2.31", "10.20.2.32", "198.51.100.7", "10.20.11.25"]
            .into_iter()
            .map(|a| (a.to_string(), n.place(a, &zones)))
            .collect();
    let pair = pivot_rows(&rows, Pivot::Pair, &places, Some("use1-az6"));
    assert_eq!(pair.len(), 3);
    assert_eq!(pair[0].label, "10.20.2.31 → 10.20.11.25:5432/TCP");
    assert!(pair[0].from_sick && pair[1].from_sick && !pair[2].from_sick);
    assert_eq!(
        (pair[0].src_zone.as_str(), pair[0].dst_zone.as_str()),
        ("use1-az6", "use1-az4")
    );
    let by_zone = pivot_rows(&rows, Pivot::Zone, &places, Some("use1-az6"));
    assert_eq!(by_zone[0].label, "use1-az6 → use1-az4");
    assert_eq!(by_zone[0].count.rejects, 70);
    assert_eq!(
        rows[by_zone[0].top].key.src, "10.20.2.31",
        "top key of the group"
    );
    assert_eq!(by_zone[1].label, "ext → use1-az4");
    let by_dst = pivot_rows(&rows, Pivot::Destination, &places, Some("use1-az6"));
    assert_eq!(by_dst.len(), 1);
    assert_eq!(by_dst[0].src_zone, "*", "mixed sources");
    assert!(!by_dst[0].from_sick);
    let by_port = pivot_rows(&rows, Pivot::Port, &places, None);
    assert_eq!(by_port[0].label, "5432/TCP");
    for p in Pivot::ALL {
        let total: u64 = pivot_rows(&rows, p, &places, None)
            .iter()
            .map(|r| r.count.rejects)
            .sum();
        assert_eq!(total, 75, "{p:?} keeps every REJECT");
        assert_eq!(p.next(true).next(false), p);
    }
}

#[test]
fn money_and_bytes_read_short() {
    assert_eq!(fmt_bytes(512.0), "512 B");
    assert_eq!(fmt_bytes(3_400_000.0), "3.4 MB");
    assert_eq!(fmt_usd(scan_cost_usd(2e9)), "$0.010");
    assert_eq!(fmt_usd(scan_cost_usd(1e3)), "<$0.001");
    assert_eq!(fmt_usd(0.0), "$0.000");
}

fn arb_row() -> impl Strategy<Value = TallyRow> {
    (
        0u8..4,
        0u8..4,
        prop::sample::select(vec![22u16, 3389, 5432]),
        1u64..50,
    )
        .prop_map(|(s, d, port, n)| row(&format!("10.0.0.{s}"), &format!("10.0.1.{d}"), port, n))
}

proptest! {
    /// Over any sequence of refreshes, the settled ranges tile the window without gaps
    /// or overlaps, and every refresh covers up to now.
    #[test]
    fn settled_ranges_tile_the_window(steps in prop::collection::vec(1i64..900, 1..20)) {
        let lag = chrono::Duration::minutes(10);
        let mut counted: Option<DateTime<Utc>> = None;
        let mut now = 3600;
        let mut expect_from = 0;
        for s in steps {
            now += s;
            let ranges = refresh_ranges(at(0), counted, at(now), lag);
            prop_assert_eq!(ranges.last().map(|r| r.1), Some(at(now)));
            for (a, b, part) in ranges {
                prop_assert!(a <= b);
                if part == Part::Settled {
                    prop_assert_eq!(a, at(expect_from));
                    expect_from = b.timestamp() + 1;
                    counted = Some(b);
                }
            }
        }
        prop_assert_eq!(expect_from, now - 600 + 1);
    }

    /// Merging the tallies of two adjacent windows gives the tally of the whole window.
    #[test]
    fn two_windows_merged_are_one_whole_window(
        rows in prop::collection::vec((arb_row(), 0i64..120), 0..80),
        split in 0i64..120,
    ) {
        let tally_of = |keep: &dyn Fn(i64) -> bool| {
            let mut t = Tally::default();
            let picked: Vec<TallyRow> = rows.iter().filter(|(_, m)| keep(*m)).map(|(r, _)| r.clone()).collect();
            t.merge(&picked);
            t
        };
        let mut merged = tally_of(&|m| m < split);
        merged.merge(&tally_of(&|m| m >= split).rows());
        prop_assert_eq!(merged, tally_of(&|_| true));
    }

    /// Any record written in any format (with `-` anywhere) parses back to its values.
    #[test]
    fn records_in_any_format_parse(
        picks in prop::collection::vec((0usize..KNOWN_FIELDS.len(), any::<bool>(), any::<u16>()), 1..20),
    ) {
        let mut fields = Vec::new();
        let mut values = Vec::new();
        for (i, dash, n) in picks {
            let (name, _) = KNOWN_FIELDS[i];
            if fields.contains(&name.to_string()) { continue; }
            fields.push(name.to_string());
            let v = if dash { "-".to_string() } else {
                match name {
                    "srcaddr" | "dstaddr" | "pkt-srcaddr" => format!("10.{}.{}.{}", n % 256, n / 256, n % 7),
                    "pkt-dstaddr" => format!("2001:db8::{n:x}"),
                    "action" => if n % 2 == 0 { "ACCEPT".into() } else { "REJECT".into() },
                    "log-status" => ["OK", "NODATA", "SKIPDATA"][n as usize % 3].into(),
                    "version" | "protocol" => (n % 256).to_string(),
                    "account-id" | "interface-id" | "vpc-id" | "subnet-id" | "instance-id" | "az-id"
                        | "region" | "type" | "sublocation-type" | "sublocation-id"
                        | "pkt-src-aws-service" | "pkt-dst-aws-service" | "flow-direction"
                        | "traffic-path" => format!("v{n}"),
                    name if name.starts_with("ecs-") => format!("ecs{n}"),
                    _ => n.to_string(),
                }
            };
            values.push(v);
        }
        let format = LogFormat::parse(&LogFormat { fields: fields.clone() }.spec()).expect("format");
        let r = parse_record(&format, &values.join(" "));
        prop_assert!(r.is_ok(), "{:?}", r);
        let r = r.expect("ok");
        if let Some(i) = fields.iter().position(|f| f == "dstport") {
            prop_assert_eq!(r.dstport.map(|p| p.to_string()), (values[i] != "-").then(|| values[i].clone()));
        }
    }

    #[test]
    fn cidr_contains_what_it_should(a in any::<u32>(), prefix in 0u8..=32) {
        let ip = std::net::Ipv4Addr::from(a);
        let net = IpNet::parse(&format!("{ip}/{prefix}")).expect("net");
        prop_assert!(net.contains(IpAddr::V4(ip)));
        if prefix > 0 {
            let flipped = std::net::Ipv4Addr::from(a ^ (1u32 << (32 - prefix)));
            prop_assert!(!net.contains(IpAddr::V4(flipped)));
        }
    }
}
