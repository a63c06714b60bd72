//! Announcing and withdrawing breaking-change notices.

use super::events::{Details, EventKind};
use crate::registry::policy::{Notice, ProductError, ProductState};
use crate::registry::{Registry, RegistryError, json, keys};
use crate::store::{Keyspace, WriteBatch};
use jiff::Timestamp;

impl Registry {
    /// Announces a breaking change for the next major; it may be published `notice_days` later.
    pub fn announce_notice(
        &self,
        name: &str,
        major: u64,
        summary: &str,
        actor: &str,
    ) -> Result<Notice, RegistryError> {
        let _products = self.product_guard()?;
        let ps = self.product_state(name)?;
        if let Err(refusal) = ps.check_announcement(major, summary) {
            self.audit_notice(&ps, actor, "announce", major, Err(&refusal))?;
            return Err(refusal.into());
        }
        let now = self.clock.now();
        let notice = Notice {
            product: name.to_string(),
            major,
            summary: summary.to_string(),
            actor: actor.to_string(),
            announced_ts: now,
            effective_ts: now + crate::registry::policy::days(ps.product.notice_days),
            withdrawn_ts: None,
        };
        self.write_notice(&ps, actor, "announce", notice)
    }

    /// Withdraws the open notice for a major that is not published yet.
    pub fn withdraw_notice(
        &self,
        name: &str,
        major: u64,
        actor: &str,
    ) -> Result<Notice, RegistryError> {
        let _products = self.product_guard()?;
        let ps = self.product_state(name)?;
        let notice = match ps.check_withdrawal(major) {
            Ok(notice) => notice.clone(),
            Err(refusal) => {
                self.audit_notice(&ps, actor, "withdraw", major, Err(&refusal))?;
                return Err(refusal.into());
            }
        };
        let withdrawn = Notice {
            withdrawn_ts: Some(self.clock.now()),
            ..notice
        };
        self.write_notice(&ps, actor, "withdraw", withdrawn)
    }

    /// Notices of one product or of all, announced at or after `since`, oldest first; withdrawn
    /// ones only with `include_withdrawn`.
    pub fn notices(
        &self,
        product: Option<&str>,
        since: Option<Timestamp>,
        include_withdrawn: bool,
    ) -> Result<Vec<Notice>, RegistryError> {
        let state = self.read();
        if let Some(name) = product
            && !state.products.contains_key(name)
        {
            return Err(ProductError::ProductNotFound(name.to_string()).into());
        }
        let mut notices: Vec<Notice> = state
            .products
            .values()
            .filter(|ps| product.is_none_or(|name| ps.product.name == name))
            .flat_map(|ps| ps.notices.values())
            .filter(|n| include_withdrawn || n.is_open())
            .filter(|n| since.is_none_or(|since| n.announced_ts >= since))
            .cloned()
            .collect();
        notices.sort_by_key(|n| (n.announced_ts, n.product.clone()));
        Ok(notices)
    }

    pub(in crate::registry) fn audit_notice(
        &self,
        ps: &ProductState,
        actor: &str,
        action: &str,
        major: u64,
        refusal: Result<(), &ProductError>,
    ) -> Result<(), RegistryError> {
        let error = refusal.err().map(|r| RegistryError::from(r.clone()));
        let message = match &error {
            Some(e) => e.to_string(),
            None => format!("{action} notice for major {major}"),
        };
        let entry = self.audit_entry(actor, action, None, error.as_ref(), message);
        self.append_audit(ps, &entry)
    }

    pub(in crate::registry) fn write_notice(
        &self,
        ps: &ProductState,
        actor: &str,
        action: &str,
        notice: Notice,
    ) -> Result<Notice, RegistryError> {
        let message = match action {
            "announce" => format!(
                "announced major {}: {}; allowed from {}",
                notice.major,
                notice.summary,
                crate::registry::policy::date(notice.effective_ts)
            ),
            _ => format!("withdrew the notice for major {}", notice.major),
        };
        let entry = self.audit_entry(actor, action, None, None, message);
        let kind = match action {
            "announce" => EventKind::NoticeAnnounced,
            _ => EventKind::NoticeWithdrawn,
        };
        let details = Details {
            summary: Some(notice.summary.clone()),
            announced: Some(notice.announced_ts),
            effective: Some(notice.effective_ts),
            ..Details::default()
        };
        let outgoing = self.outgoing(ps, kind, notice.major, details, self.clock.now())?;
        let mut batch = WriteBatch::new();
        batch.put(
            Keyspace::Notices,
            keys::product_seq(&ps.product.name, notice.major),
            json(&notice),
        );
        if let Some(outgoing) = &outgoing {
            outgoing.put(&mut batch);
        }
        super::audit::put_audit(&mut batch, &ps.product.name, ps.audit_len, &entry);
        self.store.write(batch)?;
        if outgoing.is_some() {
            self.deliveries_written();
        }
        let mut state = self.write_state();
        if let Some(ps) = state.products.get_mut(&ps.product.name) {
            ps.notices.insert(notice.major, notice.clone());
            ps.audit_len += 1;
        }
        Ok(notice)
    }
}
