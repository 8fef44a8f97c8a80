//! Who may do what: roles per municipality and the rule that decides each request.
//!
//! A user may belong to several municipalities with a role in each. No one reads or
//! writes another municipality's unpublished data; a published strategy's overview and
//! target pages are open to everyone, read-only.
//!
//! ```
//! use etablera_domain::access::{allowed, Action, Principal, Role};
//! use etablera_domain::UnitCode;
//! let osd = UnitCode::parse("2380").unwrap();
//! let p = Principal { user_id: 1, system_admin: false, memberships: vec![(osd.clone(), Role::Viewer)] };
//! assert!(allowed(Some(&p), Action::Read, &osd, false));
//! assert!(!allowed(Some(&p), Action::Write, &osd, false));
//! assert!(allowed(None, Action::ReadPublic, &osd, true));
//! assert!(!allowed(None, Action::ReadPublic, &osd, false));
//! ```

use crate::UnitCode;
use serde::{Deserialize, Serialize};

/// A role in one municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads its municipality.
    Viewer,
    /// Edits the strategy, the action plan and the data of its municipality.
    Strategist,
    /// Manages the municipality's users, and does what a strategist does.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Strategist, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Strategist => "strategist",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "strategist" => Some(Role::Strategist),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Role::Viewer => lang.pick("läsare", "viewer"),
            Role::Strategist => lang.pick("strateg", "strategist"),
            Role::Admin => lang.pick("kommunadministratör", "municipality admin"),
        }
    }
}

/// A logged-in user (or API token holder) with what they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub system_admin: bool,
    pub memberships: Vec<(UnitCode, Role)>,
}

impl Principal {
    /// The user's role in a municipality, if any.
    pub fn role_in(&self, unit: &UnitCode) -> Option<Role> {
        self.memberships
            .iter()
            .filter(|(u, _)| u == unit)
            .map(|(_, r)| *r)
            .max()
    }
}

/// What a request wants to do with a municipality's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the overview and target pages, which a municipality may publish.
    ReadPublic,
    /// Read anything else of the municipality (data, comparisons, reports, the API).
    Read,
    /// Change the strategy, the action plan, comments or data.
    Write,
    /// Add users, change their roles, publish the strategy.
    Administer,
    /// Read the audit log.
    ReadAudit,
}

/// The rule: system admins may do everything; a published strategy's public pages are open
/// to all; otherwise a membership in the municipality is needed, with at least the role the
/// action asks for.
pub fn allowed(who: Option<&Principal>, action: Action, unit: &UnitCode, published: bool) -> bool {
    if action == Action::ReadPublic && published {
        return true;
    }
    let Some(p) = who else { return false };
    if p.system_admin {
        return true;
    }
    let Some(role) = p.role_in(unit) else {
        return false;
    };
    match action {
        Action::ReadPublic | Action::Read => true,
        Action::Write => role >= Role::Strategist,
        Action::Administer | Action::ReadAudit => role == Role::Admin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_matrix() {
        let own = UnitCode::parse("2380").unwrap();
        let other = UnitCode::parse("1864").unwrap();
        let actions = [
            Action::ReadPublic,
            Action::Read,
            Action::Write,
            Action::Administer,
            Action::ReadAudit,
        ];
        for role in Role::ALL {
            let p = Principal {
                user_id: 1,
                system_admin: false,
                memberships: vec![(own.clone(), role)],
            };
            for a in actions {
                for published in [false, true] {
                    let expect_own = match a {
                        Action::ReadPublic | Action::Read => true,
                        Action::Write => role != Role::Viewer,
                        Action::Administer | Action::ReadAudit => role == Role::Admin,
                    };
                    assert_eq!(
                        allowed(Some(&p), a, &own, published),
                        expect_own,
                        "{role:?} {a:?} own {published}"
                    );
                    let expect_other = a == Action::ReadPublic && published;
                    assert_eq!(
                        allowed(Some(&p), a, &other, published),
                        expect_other,
                        "{role:?} {a:?} other {published}"
                    );
                }
            }
        }
        let admin = Principal {
            user_id: 2,
            system_admin: true,
            memberships: vec![],
        };
        assert!(actions
            .iter()
            .all(|a| allowed(Some(&admin), *a, &other, false)));
        for a in actions {
            assert_eq!(allowed(None, a, &own, true), a == Action::ReadPublic);
            assert!(!allowed(None, a, &own, false));
        }
    }
}
