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
//! let p = Principal { user_id: 1, system_admin: false, memberships: vec![(osd.clone(), Role::Viewer)], register: vec![] };
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
    /// Roles in the establishment register, separate from the strategy roles: a
    /// municipality admin or a strategist reads no person unless also given one of these.
    #[serde(default)]
    pub register: Vec<(UnitCode, RegisterRole)>,
}

impl Principal {
    /// The operator at the server's command line, who can already read and write the
    /// database directly: a system administrator without a user account.
    pub fn system() -> Principal {
        Principal {
            user_id: 0,
            system_admin: true,
            memberships: Vec::new(),
            register: Vec::new(),
        }
    }

    /// The user's register role in a municipality, if any.
    pub fn register_role_in(&self, unit: &UnitCode) -> Option<RegisterRole> {
        self.register
            .iter()
            .find(|(u, _)| u == unit)
            .map(|(_, r)| *r)
    }

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

/// The one rule for storing figures: those of a municipality are stored only by its
/// writers (strategists and admins) or a system administrator, whatever the indicator
/// (Kolada's included); those of the nation, a county or a group only by a system
/// administrator.
///
/// ```
/// use etablera_domain::access::{may_write_figures, Principal, Role};
/// use etablera_domain::UnitCode;
/// let osd = UnitCode::parse("2380").unwrap();
/// let lju = UnitCode::parse("1864").unwrap();
/// let p = Principal { user_id: 1, system_admin: false, memberships: vec![(osd.clone(), Role::Strategist)], register: vec![] };
/// assert!(may_write_figures(&p, &osd));
/// assert!(!may_write_figures(&p, &lju));
/// assert!(!may_write_figures(&p, &UnitCode::parse("0000").unwrap()));
/// assert!(may_write_figures(&Principal::system(), &lju));
/// ```
pub fn may_write_figures(who: &Principal, unit: &UnitCode) -> bool {
    allowed(Some(who), Action::Write, unit, false)
}

/// A role in a municipality's establishment register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterRole {
    /// Works with cases: all of the municipality's, or (when the municipality limits it)
    /// their own caseload and the cases they are named colleague on.
    CaseWorker,
    /// All cases of the municipality; assigns case workers; answers GDPR requests.
    ReceptionManager,
    /// Aggregates only, never a person.
    Analyst,
}

impl RegisterRole {
    pub const ALL: [RegisterRole; 3] = [
        RegisterRole::CaseWorker,
        RegisterRole::ReceptionManager,
        RegisterRole::Analyst,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RegisterRole::CaseWorker => "case_worker",
            RegisterRole::ReceptionManager => "reception_manager",
            RegisterRole::Analyst => "analyst",
        }
    }
    pub fn parse(s: &str) -> Option<RegisterRole> {
        RegisterRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            RegisterRole::CaseWorker => lang.pick("handläggare", "case worker"),
            RegisterRole::ReceptionManager => lang.pick("mottagningsansvarig", "reception manager"),
            RegisterRole::Analyst => lang.pick("analytiker", "analyst"),
        }
    }
}

/// What a request wants to do in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegisterAction {
    /// See the list of cases (each row is then checked with `ReadPerson`).
    ListCases,
    /// Register a new person.
    CreatePerson,
    /// Read one person's data.
    ReadPerson,
    /// Change one person's data (plan, assessment, outcomes, corrections).
    WritePerson,
    /// Assign case workers and colleagues, restrict processing, export (GDPR requests).
    ManageCase,
    /// Read the register's statistics (suppressed aggregates).
    ReadAggregates,
    /// Keep the intervention catalogue and the register's settings.
    Configure,
    /// Read the log of who read which person (loggkontroll).
    ReadAccessLog,
}

/// How a user stands to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseRelation {
    /// The user is the case worker or a named colleague.
    pub related: bool,
    /// Processing is restricted (GDPR art. 18).
    pub restricted: bool,
}

/// The register's rule. Least privilege: system admins, municipality admins, strategists and
/// viewers read no person; analysts read aggregates only; case workers read and write the
/// cases of their municipality, only their own caseload when `caseload_only` is set; reception
/// managers everything in the register of their municipality. A restricted case is read only
/// by its own case workers and the reception manager and written only by the manager.
pub fn register_allowed(
    who: Option<&Principal>,
    action: RegisterAction,
    unit: &UnitCode,
    case: Option<CaseRelation>,
    caseload_only: bool,
) -> bool {
    use RegisterAction as A;
    use RegisterRole as R;
    let Some(p) = who else { return false };
    let reg = p.register_role_in(unit);
    match action {
        A::ReadAggregates => p.system_admin || reg.is_some() || p.role_in(unit).is_some(),
        A::ReadAccessLog => p.system_admin || p.role_in(unit) == Some(Role::Admin),
        A::ListCases | A::CreatePerson => matches!(reg, Some(R::CaseWorker | R::ReceptionManager)),
        A::Configure | A::ManageCase => reg == Some(R::ReceptionManager),
        A::ReadPerson | A::WritePerson => {
            let Some(c) = case else { return false };
            match reg {
                Some(R::ReceptionManager) => true,
                Some(R::CaseWorker) => {
                    let may_see = c.related || (!caseload_only && !c.restricted);
                    may_see && !(action == A::WritePerson && c.restricted)
                }
                _ => false,
            }
        }
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
                register: vec![],
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
            register: vec![],
        };
        assert!(actions
            .iter()
            .all(|a| allowed(Some(&admin), *a, &other, false)));
        for a in actions {
            assert_eq!(allowed(None, a, &own, true), a == Action::ReadPublic);
            assert!(!allowed(None, a, &own, false));
        }
    }

    #[test]
    fn register_matrix() {
        use RegisterAction as A;
        let own = UnitCode::parse("2380").unwrap();
        let other = UnitCode::parse("1864").unwrap();
        let all = [
            A::ListCases,
            A::CreatePerson,
            A::ReadPerson,
            A::WritePerson,
            A::ManageCase,
            A::ReadAggregates,
            A::Configure,
            A::ReadAccessLog,
        ];
        let who = |reg: Option<RegisterRole>, role: Option<Role>, sys: bool| Principal {
            user_id: 1,
            system_admin: sys,
            memberships: role.map(|r| vec![(own.clone(), r)]).unwrap_or_default(),
            register: reg.map(|r| vec![(own.clone(), r)]).unwrap_or_default(),
        };
        for caseload_only in [false, true] {
            for related in [false, true] {
                for restricted in [false, true] {
                    let c = Some(CaseRelation {
                        related,
                        restricted,
                    });
                    for a in all {
                        // Nobody does anything person-level in another municipality.
                        for r in RegisterRole::ALL {
                            let p = who(Some(r), Some(Role::Admin), false);
                            assert!(
                                !register_allowed(Some(&p), a, &other, c, caseload_only),
                                "{r:?} {a:?} other"
                            );
                        }
                        // Strategy roles and system admins read no person.
                        for (role, sys) in [
                            (Some(Role::Admin), false),
                            (Some(Role::Strategist), false),
                            (Some(Role::Viewer), false),
                            (None, true),
                        ] {
                            let p = who(None, role, sys);
                            let expect = a == A::ReadAggregates
                                || (a == A::ReadAccessLog && (sys || role == Some(Role::Admin)));
                            assert_eq!(
                                register_allowed(Some(&p), a, &own, c, caseload_only),
                                expect,
                                "{role:?} sys={sys} {a:?}"
                            );
                        }
                        let analyst = who(Some(RegisterRole::Analyst), None, false);
                        assert_eq!(
                            register_allowed(Some(&analyst), a, &own, c, caseload_only),
                            a == A::ReadAggregates,
                            "analyst {a:?}"
                        );
                        let mgr = who(Some(RegisterRole::ReceptionManager), None, false);
                        assert_eq!(
                            register_allowed(Some(&mgr), a, &own, c, caseload_only),
                            a != A::ReadAccessLog,
                            "manager {a:?}"
                        );
                        let cw = who(Some(RegisterRole::CaseWorker), None, false);
                        let expect = match a {
                            A::ListCases | A::CreatePerson | A::ReadAggregates => true,
                            A::ReadPerson => related || (!caseload_only && !restricted),
                            A::WritePerson => !restricted && (related || !caseload_only),
                            A::ManageCase | A::Configure | A::ReadAccessLog => false,
                        };
                        assert_eq!(register_allowed(Some(&cw), a, &own, c, caseload_only), expect, "case worker {a:?} related={related} restricted={restricted} caseload_only={caseload_only}");
                        assert!(!register_allowed(None, a, &own, c, caseload_only));
                    }
                }
            }
        }
        // Person actions without a case are refused.
        let mgr = who(Some(RegisterRole::ReceptionManager), None, false);
        assert!(!register_allowed(
            Some(&mgr),
            A::ReadPerson,
            &own,
            None,
            false
        ));
    }
}
