//! Expired credentials mid-incident: one banner for the whole screen naming the command
//! to run (`aws sso login --profile P`), and the `reconnect` key (R) that rebuilds the
//! SDK configuration so fresh credentials are read, without restarting grayscope.

use super::{App, Mode};
use crate::jobs::Effect;

/// What a failure line says when credentials expired (`BackendError::CredentialsExpired`).
const EXPIRED: &str = "credentials expired: ";

impl App {
    /// The hint of the first "credentials expired" failure (router loads or any pane),
    /// e.g. "the SSO session has expired; run `aws sso login --profile prod`".
    pub fn expired_credentials(&self) -> Option<String> {
        let s = &self.shared;
        let router = [
            s.identity.error.as_ref(),
            s.load_balancers.error.as_ref(),
            s.zones.error.as_ref(),
        ];
        for (e, _) in router.into_iter().flatten() {
            if let crate::backend::BackendError::CredentialsExpired { hint } = e {
                return Some(hint.clone());
            }
        }
        self.panes
            .iter()
            .flat_map(|p| p.failures())
            .chain(self.overlays.iter().flat_map(|(_, o)| o.failures()))
            .find_map(|f| f.find(EXPIRED).map(|i| f[i + EXPIRED.len()..].to_string()))
    }

    /// `reconnect` (R): rebuild the services (fresh SDK configuration, so the credential
    /// providers read the SSO cache and environment again) for the same profile and
    /// region, through the same path as `:profile` / `:region`.
    pub(super) fn reconnect_fresh(&mut self) -> Vec<Effect> {
        let now = self.shared.now;
        let identity = self.shared.identity.get();
        let profile = identity.and_then(|i| i.profile.clone());
        let region = identity.and_then(|i| i.region.clone());
        let what = match (&profile, self.shared.mode) {
            (_, Mode::Demo) => "reconnecting (demo)".to_string(),
            (Some(p), _) => format!("reconnecting with fresh credentials for profile {p}"),
            (None, _) => "reconnecting with fresh credentials".to_string(),
        };
        self.flash = Some((what, now));
        vec![Effect::Reconnect { profile, region }]
    }
}
