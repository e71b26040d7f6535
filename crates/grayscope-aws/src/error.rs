//! `SdkError` -> [`BackendError`]: what went wrong, in one short line a pane can show,
//! and of a kind the app can branch on.
//!
//! Order of the checks:
//! 1. service errors by code (expired or rejected credentials, access denied,
//!    throttling, no support plan), then an HTTP 5xx/404 whose body is neither XML,
//!    JSON nor CBOR (moto answers unimplemented operations with an HTML page) as
//!    `Unsupported`, then any other code as `Service`;
//! 2. everything that never got a response: the error's source chain is read for
//!    credential trouble ("... the SSO token has expired ..."), a missing region,
//!    then timeouts and unreachable endpoints.

use crate::backend::BackendError;
use crate::model::text::{clean, ellipsize};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error as StdError;

/// Longest message kept from AWS or from an underlying error, in characters.
const MAX_MESSAGE: usize = 160;

const EXPIRED_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "TokenRefreshRequired",
];
const REJECTED_CREDENTIALS_CODES: &[&str] = &[
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "AuthFailure",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
];
const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
];
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
];
const NOT_SUBSCRIBED_CODES: &[&str] = &["SubscriptionRequiredException"];

/// Classifies a failed call of `operation` (e.g. "DescribeTargetHealth"). `profile`
/// goes into the hint for expired credentials.
pub fn classify<E>(
    operation: &str,
    err: &SdkError<E, HttpResponse>,
    profile: Option<&str>,
) -> BackendError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let op = operation.to_string();
    let code = err
        .as_service_error()
        .and_then(|e| e.code())
        .filter(|c| !c.is_empty());
    let message = err
        .as_service_error()
        .and_then(|e| e.message())
        .map(short)
        .unwrap_or_default();
    let raw = err.raw_response();

    if let Some(code) = code {
        if EXPIRED_CODES.contains(&code) {
            return BackendError::CredentialsExpired {
                hint: expired_hint(profile, false),
            };
        }
        if REJECTED_CREDENTIALS_CODES.contains(&code) {
            return BackendError::NoCredentials(format!(
                "{op}: AWS rejected the credentials ({code}){}",
                suffix(&message)
            ));
        }
        if ACCESS_DENIED_CODES.contains(&code) {
            return BackendError::AccessDenied {
                operation: op,
                message: if message.is_empty() {
                    code.to_string()
                } else {
                    message
                },
            };
        }
        if THROTTLING_CODES.contains(&code) {
            return BackendError::Throttled { operation: op };
        }
        if NOT_SUBSCRIBED_CODES.contains(&code) {
            return BackendError::NotSubscribed { operation: op };
        }
    }

    if let Some(raw) = raw {
        let status = raw.status().as_u16();
        let body = raw.body().bytes().unwrap_or_default();
        if code.is_none() && matches!(status, 404 | 500 | 501) && is_unstructured(body) {
            return BackendError::Unsupported {
                operation: op,
                status,
            };
        }
        if let Some(code) = code {
            return BackendError::Service {
                operation: op,
                code: short(code),
                message,
            };
        }
        match status {
            429 => return BackendError::Throttled { operation: op },
            401 | 403 => {
                return BackendError::AccessDenied {
                    operation: op,
                    message: format!("HTTP {status}"),
                };
            }
            _ => {}
        }
        if matches!(err, SdkError::ResponseError(_)) && dropped(&chain_text(err).to_lowercase()) {
            return BackendError::Unreachable {
                operation: op,
                message: "the connection dropped before the reply was complete".into(),
            };
        }
        if err.as_service_error().is_some() || matches!(err, SdkError::ResponseError(_)) {
            return BackendError::Service {
                operation: op,
                code: format!("HTTP {status}"),
                message: innermost(err),
            };
        }
    }

    classify_without_response(op, err, profile)
}

/// Errors that never got a usable response: credentials, region, network.
fn classify_without_response<E>(
    op: String,
    err: &SdkError<E, HttpResponse>,
    profile: Option<&str>,
) -> BackendError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let chain = chain_text(err).to_lowercase();
    let about_credentials = ["credential", "sso", "token", "session"]
        .iter()
        .any(|w| chain.contains(w));
    if about_credentials && (chain.contains("expired") || chain.contains("session token not found"))
    {
        return BackendError::CredentialsExpired {
            hint: expired_hint(profile, chain.contains("sso")),
        };
    }
    if about_credentials && chain.contains("credential") {
        // The default chain's own message lists every provider it tried: too long.
        let what = if chain.contains("no credentials found in chain")
            || chain.contains("no providers in chain")
        {
            "none found in the environment, ~/.aws or instance metadata".to_string()
        } else {
            innermost(err)
        };
        return BackendError::NoCredentials(format!(
            "{what}; configure a profile (aws configure / aws sso login) or pass --profile"
        ));
    }
    if chain.contains("missing region") || chain.contains("no region") {
        return BackendError::Other(format!(
            "{op}: no AWS region configured: pass --region or set AWS_REGION"
        ));
    }
    match err {
        SdkError::TimeoutError(_) => BackendError::Timeout {
            operation: op,
            message: innermost(err),
        },
        SdkError::DispatchFailure(d) if d.is_timeout() => BackendError::Timeout {
            operation: op,
            message: innermost(err),
        },
        // Reached, but the connection closed or was reset before the whole reply came
        // (a proxy or load balancer in trouble): say so, not "cannot reach".
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) if dropped(&chain) => {
            BackendError::Unreachable {
                operation: op,
                message: "the connection dropped before the reply was complete".into(),
            }
        }
        SdkError::DispatchFailure(_) => BackendError::Unreachable {
            operation: op,
            message: innermost(err),
        },
        _ => BackendError::Other(format!("{op}: {}", innermost(err))),
    }
}

/// Whether the chain tells of a connection that closed mid-reply (hyper's wording).
fn dropped(chain_lower: &str) -> bool {
    [
        "connection closed before message completed",
        "connection reset",
        "incomplete message",
        "unexpected eof",
        "end of file before message length reached",
    ]
    .iter()
    .any(|w| chain_lower.contains(w))
}

/// What to run when credentials have expired.
fn expired_hint(profile: Option<&str>, sso: bool) -> String {
    match (profile, sso) {
        (Some(p), true) => format!(
            "the SSO session has expired; run `aws sso login --profile {}`",
            short(p)
        ),
        (Some(p), false) => format!(
            "the session token has expired; refresh the credentials (e.g. `aws sso login --profile {}`)",
            short(p)
        ),
        (None, true) => "the SSO session has expired; run `aws sso login`".to_string(),
        // No profile: the credentials came from the environment (AWS_SESSION_TOKEN,
        // e.g. from `aws sts assume-role`), which a running process cannot re-read.
        (None, false) => {
            "the session token has expired; run `aws sso login` for the default profile, \
             or restart with fresh AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN \
             (e.g. from `aws sts assume-role`)"
                .to_string()
        }
    }
}

/// Whether a response body is something other than an XML, JSON or CBOR document
/// (an HTML error page, plain text). Empty bodies count as structured: AWS sends
/// those on some real 5xx and they say nothing about the operation being unknown.
fn is_unstructured(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let t = text.trim_start();
    if t.is_empty() {
        return false;
    }
    let lower: String = t.chars().take(64).collect::<String>().to_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return true;
    }
    if t.starts_with('<') || t.starts_with('{') || t.starts_with('[') {
        return false;
    }
    // CBOR maps (major type 5) open RPCv2 CBOR error bodies.
    if matches!(body.first(), Some(b) if (0xa0..=0xbf).contains(b)) {
        return false;
    }
    true
}

/// Every message in the source chain, joined (for matching only, never shown).
fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut out = String::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        out.push_str(&e.to_string());
        out.push_str(" | ");
        cur = e.source();
    }
    out
}

/// The innermost non-empty message of the chain (the most specific), made safe to show.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut last = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !s.trim().is_empty() {
            last = s;
        }
        cur = e.source();
    }
    short(&last)
}

/// One line, no control characters, at most [`MAX_MESSAGE`] characters.
fn short(s: &str) -> String {
    let one_line = clean(s);
    let squeezed: String = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    ellipsize(&squeezed, MAX_MESSAGE)
}

fn suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    #[derive(Debug)]
    struct Op(ErrorMetadata);
    impl std::fmt::Display for Op {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "op error")
        }
    }
    impl StdError for Op {}
    impl ProvideErrorMetadata for Op {
        fn meta(&self) -> &ErrorMetadata {
            &self.0
        }
    }

    #[derive(Debug)]
    struct Msg(&'static str, Option<Box<Msg>>);
    impl std::fmt::Display for Msg {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl StdError for Msg {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|m| m as &(dyn StdError + 'static))
        }
    }

    fn service(
        code: &str,
        message: &str,
        status: u16,
        body: &'static str,
    ) -> SdkError<Op, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(
            Op(meta),
            HttpResponse::new(
                StatusCode::try_from(status).expect("status"),
                SdkBody::from(body),
            ),
        )
    }

    fn unhandled(status: u16, body: &'static str) -> SdkError<Op, HttpResponse> {
        SdkError::service_error(
            Op(ErrorMetadata::builder().build()),
            HttpResponse::new(
                StatusCode::try_from(status).expect("status"),
                SdkBody::from(body),
            ),
        )
    }

    fn dispatch(err: ConnectorError) -> SdkError<Op, HttpResponse> {
        SdkError::dispatch_failure(err)
    }

    #[test]
    fn service_codes() {
        assert_eq!(
            classify(
                "DescribeInstances",
                &service("UnauthorizedOperation", "You are not authorized", 403, ""),
                None
            ),
            BackendError::AccessDenied {
                operation: "DescribeInstances".into(),
                message: "You are not authorized".into()
            }
        );
        for code in [
            "Throttling",
            "ThrottlingException",
            "RequestLimitExceeded",
            "TooManyRequestsException",
        ] {
            assert_eq!(
                classify("X", &service(code, "slow down", 400, ""), None),
                BackendError::Throttled {
                    operation: "X".into()
                }
            );
        }
        assert_eq!(
            classify(
                "DescribeEvents",
                &service("SubscriptionRequiredException", "", 400, ""),
                None
            ),
            BackendError::NotSubscribed {
                operation: "DescribeEvents".into()
            }
        );
        assert!(matches!(
            classify("X", &service("ExpiredToken", "The security token included in the request is expired", 400, ""), Some("prod")),
            BackendError::CredentialsExpired { hint } if hint.contains("aws sso login --profile prod")
        ));
        assert_eq!(
            classify(
                "X",
                &service("ValidationError", "bad\nthing\x1b[2J", 400, ""),
                None
            ),
            BackendError::Service {
                operation: "X".into(),
                code: "ValidationError".into(),
                message: "bad thing\u{FFFD}[2J".into()
            }
        );
    }

    #[test]
    fn a_connection_dropped_mid_reply_says_so() {
        let e = dispatch(ConnectorError::io(Box::new(Msg(
            "connection closed before message completed",
            None,
        ))));
        assert_eq!(
            classify("DescribeTargetHealth", &e, None),
            BackendError::Unreachable {
                operation: "DescribeTargetHealth".into(),
                message: "the connection dropped before the reply was complete".into()
            }
        );
    }

    #[test]
    fn access_denied_names_the_iam_action() {
        let e = classify(
            "DescribeTargetHealth",
            &service(
                "AccessDenied",
                "User: arn:aws:sts::1:assumed-role/x is not authorized",
                403,
                "",
            ),
            None,
        );
        assert!(
            e.to_string()
                .ends_with("the IAM policy needs elasticloadbalancing:DescribeTargetHealth"),
            "{e}"
        );
    }

    #[test]
    fn html_500_is_unsupported_but_xml_500_is_not() {
        let html = "<!DOCTYPE html>\n<html><title>500 Internal Server Error</title></html>";
        assert_eq!(
            classify("StopQuery", &unhandled(500, html), None),
            BackendError::Unsupported {
                operation: "StopQuery".into(),
                status: 500
            }
        );
        assert!(matches!(
            classify("X", &service("InternalFailure", "oops", 500, "<ErrorResponse/>"), None),
            BackendError::Service { code, .. } if code == "InternalFailure"
        ));
        assert!(matches!(
            classify("X", &unhandled(500, ""), None),
            BackendError::Service { code, .. } if code == "HTTP 500"
        ));
        assert!(!is_unstructured(b"{\"__type\":\"x\"}"));
        assert!(!is_unstructured(&[0xbf, 0x61]));
        assert!(is_unstructured(b"Internal Server Error"));
    }

    #[test]
    fn expired_sso_token_in_the_source_chain() {
        let chain = Msg(
            "an error occurred while loading credentials",
            Some(Box::new(Msg(
                "the SSO token has expired and cannot be refreshed",
                None,
            ))),
        );
        let err = dispatch(ConnectorError::other(Box::new(chain), None));
        match classify("DescribeLoadBalancers", &err, Some("sre")) {
            BackendError::CredentialsExpired { hint } => {
                assert_eq!(
                    hint,
                    "the SSO session has expired; run `aws sso login --profile sre`"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_credentials_and_network() {
        let chain = Msg(
            "the credential provider was not enabled",
            Some(Box::new(Msg(
                "no providers in chain provided credentials",
                None,
            ))),
        );
        let err = dispatch(ConnectorError::other(Box::new(chain), None));
        assert!(matches!(
            classify("X", &err, None),
            BackendError::NoCredentials(m) if m.starts_with("none found in the environment")
        ));

        let refused = dispatch(ConnectorError::io(Box::new(Msg(
            "tcp connect error",
            Some(Box::new(Msg("Connection refused (os error 111)", None))),
        ))));
        assert_eq!(
            classify("X", &refused, None),
            BackendError::Unreachable {
                operation: "X".into(),
                message: "Connection refused (os error 111)".into()
            }
        );
        let timeout = dispatch(ConnectorError::timeout(Box::new(Msg(
            "connect timed out",
            None,
        ))));
        assert!(matches!(
            classify("X", &timeout, None),
            BackendError::Timeout { .. }
        ));
        let attempt: SdkError<Op, HttpResponse> = SdkError::timeout_error(Box::new(Msg(
            "operation attempt timeout occurred after 10s",
            None,
        )));
        assert_eq!(
            classify("X", &attempt, None),
            BackendError::Timeout {
                operation: "X".into(),
                message: "operation attempt timeout occurred after 10s".into()
            }
        );
    }

    #[test]
    fn messages_are_short_and_single_line() {
        let long = "x\n".repeat(500);
        let s = short(&long);
        assert!(s.chars().count() <= MAX_MESSAGE);
        assert!(!s.contains('\n'));
    }
}
