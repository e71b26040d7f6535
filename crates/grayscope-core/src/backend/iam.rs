//! Which IAM action each AWS operation grayscope calls needs.
//!
//! Used in two places: an `AccessDenied` error names the action the policy lacks
//! ("the IAM policy needs `elasticloadbalancing:DescribeTargetHealth`"), and
//! `tests/iam_doc.rs` checks that docs/iam.md lists the action of every operation the
//! code calls (src/backend/aws) and nothing the code no longer needs.
//!
//! Operation names are unique across the services grayscope uses, so the operation
//! alone finds the action.

/// What a policy section grants: read-only use, the writes behind a confirmation, or
/// features still being built (documented ahead, not yet called).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Every pane, read-only (`--read-only` needs only these).
    Read,
    /// Writes grayscope makes after a confirmation (Reachability, anomaly detectors).
    Write,
}

/// `(operation, IAM action, use)` for every operation the AWS backend calls.
pub const ACTIONS: &[(&str, &str, Use)] = &[
    // AZ pane: load balancers, zones, targets.
    (
        "DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancers",
        Use::Read,
    ),
    (
        "DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        Use::Read,
    ),
    (
        "DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroups",
        Use::Read,
    ),
    (
        "DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        Use::Read,
    ),
    (
        "DescribeTargetHealth",
        "elasticloadbalancing:DescribeTargetHealth",
        Use::Read,
    ),
    (
        "DescribeAvailabilityZones",
        "ec2:DescribeAvailabilityZones",
        Use::Read,
    ),
    ("DescribeInstances", "ec2:DescribeInstances", Use::Read),
    ("DescribeSubnets", "ec2:DescribeSubnets", Use::Read),
    // Metrics and bands.
    ("GetMetricData", "cloudwatch:GetMetricData", Use::Read),
    ("ListMetrics", "cloudwatch:ListMetrics", Use::Read),
    (
        "DescribeAnomalyDetectors",
        "cloudwatch:DescribeAnomalyDetectors",
        Use::Read,
    ),
    (
        "PutAnomalyDetector",
        "cloudwatch:PutAnomalyDetector",
        Use::Write,
    ),
    (
        "DeleteAnomalyDetector",
        "cloudwatch:DeleteAnomalyDetector",
        Use::Write,
    ),
    // Flow-log rejects.
    ("DescribeFlowLogs", "ec2:DescribeFlowLogs", Use::Read),
    // The account that owns a VPC, for the S3 delivery path of its flow logs.
    ("DescribeVpcs", "ec2:DescribeVpcs", Use::Read),
    (
        "DescribeNetworkInterfaces",
        "ec2:DescribeNetworkInterfaces",
        Use::Read,
    ),
    ("StartQuery", "logs:StartQuery", Use::Read),
    ("GetQueryResults", "logs:GetQueryResults", Use::Read),
    ("StopQuery", "logs:StopQuery", Use::Read),
    (
        "DescribeQueryDefinitions",
        "logs:DescribeQueryDefinitions",
        Use::Read,
    ),
    // AWS Health.
    ("DescribeEvents", "health:DescribeEvents", Use::Read),
    (
        "DescribeEventDetails",
        "health:DescribeEventDetails",
        Use::Read,
    ),
    (
        "DescribeAffectedEntities",
        "health:DescribeAffectedEntities",
        Use::Read,
    ),
    (
        "DescribeEventsForOrganization",
        "health:DescribeEventsForOrganization",
        Use::Read,
    ),
    (
        "DescribeEventDetailsForOrganization",
        "health:DescribeEventDetailsForOrganization",
        Use::Read,
    ),
    (
        "DescribeAffectedAccountsForOrganization",
        "health:DescribeAffectedAccountsForOrganization",
        Use::Read,
    ),
    (
        "DescribeHealthServiceStatusForOrganization",
        "health:DescribeHealthServiceStatusForOrganization",
        Use::Read,
    ),
    // Reachability drill-down.
    (
        "DescribeSecurityGroupRules",
        "ec2:DescribeSecurityGroupRules",
        Use::Read,
    ),
    (
        "DescribeNetworkInsightsPaths",
        "ec2:DescribeNetworkInsightsPaths",
        Use::Read,
    ),
    (
        "DescribeNetworkInsightsAnalyses",
        "ec2:DescribeNetworkInsightsAnalyses",
        Use::Read,
    ),
    (
        "CreateNetworkInsightsPath",
        "ec2:CreateNetworkInsightsPath",
        Use::Write,
    ),
    (
        "StartNetworkInsightsAnalysis",
        "ec2:StartNetworkInsightsAnalysis",
        Use::Write,
    ),
    (
        "DeleteNetworkInsightsAnalysis",
        "ec2:DeleteNetworkInsightsAnalysis",
        Use::Write,
    ),
    (
        "DeleteNetworkInsightsPath",
        "ec2:DeleteNetworkInsightsPath",
        Use::Write,
    ),
    // Zonal shift (ARC).
    (
        "GetManagedResource",
        "arc-zonal-shift:GetManagedResource",
        Use::Read,
    ),
    (
        "ListZonalShifts",
        "arc-zonal-shift:ListZonalShifts",
        Use::Read,
    ),
    (
        "StartZonalShift",
        "arc-zonal-shift:StartZonalShift",
        Use::Write,
    ),
    (
        "UpdateZonalShift",
        "arc-zonal-shift:UpdateZonalShift",
        Use::Write,
    ),
    (
        "CancelZonalShift",
        "arc-zonal-shift:CancelZonalShift",
        Use::Write,
    ),
    // Athena engine for flow logs. (Its GetQueryResults is in IMPLIED: the name is
    // Logs' too.)
    (
        "StartQueryExecution",
        "athena:StartQueryExecution",
        Use::Read,
    ),
    ("GetQueryExecution", "athena:GetQueryExecution", Use::Read),
    ("StopQueryExecution", "athena:StopQueryExecution", Use::Read),
    ("GetWorkGroup", "athena:GetWorkGroup", Use::Read),
    ("ListTableMetadata", "athena:ListTableMetadata", Use::Read),
    ("GetTableMetadata", "athena:GetTableMetadata", Use::Read),
];

/// Actions a policy needs without an operation of their own: tag-on-create (the
/// Reachability path and analysis are created with tags), operations whose name
/// another service uses too (Athena's GetQueryResults beside Logs'), and what Athena
/// does with the caller's permissions on grayscope's behalf (the Glue Data Catalog
/// behind its table metadata and DDL, S3 for the flow logs and the query results).
pub const IMPLIED: &[(&str, &str)] = &[
    (
        "ec2:CreateTags",
        "tags on CreateNetworkInsightsPath / StartNetworkInsightsAnalysis",
    ),
    (
        "athena:GetQueryResults",
        "Athena's GetQueryResults (the Logs one is logs:GetQueryResults)",
    ),
    (
        "glue:GetDatabase",
        "Athena ListTableMetadata / GetTableMetadata / queries read the catalog",
    ),
    ("glue:GetTable", "Athena GetTableMetadata and every query"),
    ("glue:GetTables", "Athena ListTableMetadata"),
    (
        "glue:CreateTable",
        "Athena CREATE EXTERNAL TABLE (only when grayscope creates the table, asked first)",
    ),
    (
        "glue:DeleteTable",
        "Athena DROP TABLE (the table grayscope created, dropped at exit)",
    ),
    (
        "s3:GetBucketLocation",
        "Athena reads the flow-log bucket and writes the results location",
    ),
    ("s3:GetObject", "Athena reads the flow logs and the results"),
    (
        "s3:ListBucket",
        "Athena lists the flow-log partitions it scans",
    ),
    (
        "s3:PutObject",
        "Athena writes query results to the workgroup's location",
    ),
];

/// `(client field in src/backend/aws, IAM prefix)`: how the code names each service's
/// client, for `tests/iam_doc.rs` (and the prefixes the other branches will add).
pub const CLIENTS: &[(&str, &str)] = &[
    ("ec2", "ec2"),
    ("elbv2", "elasticloadbalancing"),
    ("cloudwatch", "cloudwatch"),
    ("logs", "logs"),
    ("health", "health"),
    ("health_failover", "health"),
    ("arc", "arc-zonal-shift"),
    ("zonal_shift", "arc-zonal-shift"),
    ("athena", "athena"),
    ("glue", "glue"),
    ("s3", "s3"),
];

/// The IAM action `operation` needs (e.g. "DescribeTargetHealth" ->
/// "elasticloadbalancing:DescribeTargetHealth"), if grayscope knows the operation.
pub fn action(operation: &str) -> Option<&'static str> {
    ACTIONS
        .iter()
        .find(|(op, _, _)| *op == operation)
        .map(|(_, action, _)| *action)
}

/// The IAM action for `operation` of the service whose IAM prefix is `prefix` (e.g.
/// "athena", "GetQueryResults" -> "athena:GetQueryResults", where [`action`] alone
/// would answer Logs'): the table first, then the implied actions.
pub fn action_in(prefix: &str, operation: &str) -> Option<String> {
    let wanted = format!("{prefix}:{operation}");
    ACTIONS
        .iter()
        .find(|(op, a, _)| *op == operation && a.starts_with(&format!("{prefix}:")))
        .map(|(_, a, _)| a.to_string())
        .or_else(|| IMPLIED.iter().any(|(a, _)| *a == wanted).then_some(wanted))
}

/// The words an access-denied error ends with: the action by name when known.
/// `operation` is the bare name ("DescribeTargetHealth") or, where another service
/// has an operation of the same name, qualified by its IAM prefix
/// ("athena:GetQueryResults").
pub fn needs(operation: &str) -> String {
    let found = match operation.split_once(':') {
        Some((prefix, op)) => action_in(prefix, op),
        None => action(operation).map(str::to_string),
    };
    match found {
        Some(a) => format!("the IAM policy needs {a}"),
        None => format!("the IAM policy needs the action for {operation}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_action() {
        assert_eq!(
            action("DescribeTargetHealth"),
            Some("elasticloadbalancing:DescribeTargetHealth")
        );
        assert_eq!(action("GetMetricData"), Some("cloudwatch:GetMetricData"));
        assert_eq!(action("StartQuery"), Some("logs:StartQuery"));
        assert_eq!(action("Nope"), None);
        assert_eq!(
            needs("CreateNetworkInsightsPath"),
            "the IAM policy needs ec2:CreateNetworkInsightsPath"
        );
    }

    #[test]
    fn an_athena_access_denied_names_the_athena_action() {
        assert_eq!(
            needs("athena:GetQueryResults"),
            "the IAM policy needs athena:GetQueryResults"
        );
        assert_eq!(
            needs("GetQueryResults"),
            "the IAM policy needs logs:GetQueryResults"
        );
        let e = crate::backend::BackendError::AccessDenied {
            operation: "athena:GetQueryResults".into(),
            message: "not authorized".into(),
        };
        assert!(
            e.to_string().ends_with("needs athena:GetQueryResults"),
            "{e}"
        );
    }

    #[test]
    fn the_service_decides_between_same_named_operations() {
        assert_eq!(
            action_in("athena", "GetQueryResults").as_deref(),
            Some("athena:GetQueryResults")
        );
        assert_eq!(
            action_in("logs", "GetQueryResults").as_deref(),
            Some("logs:GetQueryResults")
        );
        assert_eq!(action_in("ec2", "GetMetricData"), None);
    }

    #[test]
    fn operations_are_unique() {
        let mut ops: Vec<&str> = ACTIONS.iter().map(|a| a.0).collect();
        ops.sort_unstable();
        let n = ops.len();
        ops.dedup();
        assert_eq!(ops.len(), n);
    }
}
