//! A municipal integration strategy: vision, areas, a tree of goals, targets, indicators
//! per area and the yearly action plan.
//!
//! [`Strategy::validate`] checks that ids are unique, that references resolve and that
//! years make sense; each problem names the item and field so the strategy file reader
//! can point at the line.

use crate::{Date, IndicatorId, Target, TargetKind, UnitCode};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

pub type GoalId = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    /// A short id: "ostersund-2020".
    pub id: String,
    pub owner: UnitCode,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    pub period_from: i32,
    pub period_to: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vision: Option<String>,
    /// Where the strategy comes from (document, decision number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub areas: Vec<Area>,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub activities: Vec<Activity>,
}

impl Strategy {
    /// A strategy with only its id, owner, title and period: no goals, targets, areas or
    /// activities yet, nothing adopted.
    pub fn new(
        id: impl Into<String>,
        owner: UnitCode,
        title: impl Into<String>,
        period_from: i32,
        period_to: i32,
    ) -> Strategy {
        Strategy {
            id: id.into(),
            owner,
            title: title.into(),
            subtitle: None,
            period_from,
            period_to,
            adopted_by: None,
            adopted_on: None,
            vision: None,
            source: None,
            areas: vec![],
            goals: vec![],
            targets: vec![],
            activities: vec![],
        }
    }
}

/// An area of the strategy, with the indicators it follows up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub indicators: Vec<IndicatorId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalKind {
    /// Långsiktigt mål.
    LongTerm,
    /// Delmål.
    SubGoal,
    /// Kännetecken (Ljusnarsberg's word for what the municipality shall be known by).
    Characteristic,
}

/// A goal; sub-goals name their parent, which makes the goals a tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub id: GoalId,
    pub title: String,
    pub kind: GoalKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<GoalId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The strategy texts ("Strategi: …") that say how the goal shall be reached.
    #[serde(default)]
    pub strategies: Vec<String>,
}

impl Goal {
    /// A goal with only an id, a title and its kind (no parent, area, description or
    /// strategy texts).
    pub fn new(id: impl Into<GoalId>, title: impl Into<String>, kind: GoalKind) -> Goal {
        Goal {
            id: id.into(),
            title: title.into(),
            kind,
            parent: None,
            area: None,
            description: None,
            strategies: vec![],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    Planned,
    Ongoing,
    Done,
    Postponed,
    Cancelled,
}

impl ActivityStatus {
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            ActivityStatus::Planned => lang.pick("planerad", "planned"),
            ActivityStatus::Ongoing => lang.pick("pågår", "ongoing"),
            ActivityStatus::Done => lang.pick("genomförd", "done"),
            ActivityStatus::Postponed => lang.pick("uppskjuten", "postponed"),
            ActivityStatus::Cancelled => lang.pick("avbruten", "cancelled"),
        }
    }
}

/// An activity of the action plan (handlingsplan, aktivitetsplan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<GoalId>,
    /// The responsible department (förvaltning, enhet).
    pub responsible: String,
    pub year: i32,
    pub status: ActivityStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Which item of a strategy a problem is about, so a reader can locate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Strategy,
    Area(usize),
    Goal(usize),
    Target(usize),
    Activity(usize),
}

/// One problem found by [`Strategy::validate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct StrategyError {
    pub item: Item,
    /// The field the problem is in, as written in the strategy file.
    pub field: &'static str,
    pub problem: String,
}

impl Strategy {
    /// All problems, in file order; empty when the strategy is consistent.
    pub fn validate(&self) -> Vec<StrategyError> {
        let mut errs = Vec::new();
        let mut err = |item, field, problem: String| {
            errs.push(StrategyError {
                item,
                field,
                problem,
            })
        };
        if self.title.trim().is_empty() {
            err(Item::Strategy, "title", "the strategy has no title".into());
        }
        if !valid_id(&self.id) {
            err(
                Item::Strategy,
                "id",
                format!(
                    "strategy id `{}` must be 1–60 lowercase letters, digits or `-`",
                    self.id
                ),
            );
        }
        if !self.owner.is_municipality() && !self.owner.is_region() {
            err(
                Item::Strategy,
                "owner",
                format!(
                    "the owner `{}` must be a municipality or a region",
                    self.owner
                ),
            );
        }
        if self.period_from > self.period_to {
            err(
                Item::Strategy,
                "period_to",
                format!(
                    "the period ends ({}) before it starts ({})",
                    self.period_to, self.period_from
                ),
            );
        }
        let mut area_ids = HashSet::new();
        for (i, a) in self.areas.iter().enumerate() {
            if !area_ids.insert(a.id.as_str()) {
                err(
                    Item::Area(i),
                    "id",
                    format!("area id `{}` is used twice", a.id),
                );
            }
        }
        let mut goal_ids: HashMap<&str, usize> = HashMap::new();
        for (i, g) in self.goals.iter().enumerate() {
            if goal_ids.insert(g.id.as_str(), i).is_some() {
                err(
                    Item::Goal(i),
                    "id",
                    format!("goal id `{}` is used twice", g.id),
                );
            }
            if g.title.trim().is_empty() {
                err(
                    Item::Goal(i),
                    "title",
                    format!("goal `{}` has no title", g.id),
                );
            }
        }
        for (i, g) in self.goals.iter().enumerate() {
            if let Some(p) = &g.parent {
                if !goal_ids.contains_key(p.as_str()) {
                    err(
                        Item::Goal(i),
                        "parent",
                        format!(
                            "goal `{}` names parent `{p}`, which is not a goal of this strategy",
                            g.id
                        ),
                    );
                } else {
                    // Walk up; a path longer than the number of goals is a cycle.
                    let mut cur = Some(p.as_str());
                    let mut steps = 0;
                    while let Some(c) = cur {
                        if c == g.id || steps > self.goals.len() {
                            err(
                                Item::Goal(i),
                                "parent",
                                format!("goal `{}` is its own ancestor", g.id),
                            );
                            break;
                        }
                        steps += 1;
                        cur = goal_ids
                            .get(c)
                            .and_then(|&j| self.goals[j].parent.as_deref());
                    }
                }
            }
            if let Some(a) = &g.area {
                if !area_ids.contains(a.as_str()) {
                    err(
                        Item::Goal(i),
                        "area",
                        format!(
                            "goal `{}` names area `{a}`, which is not an area of this strategy",
                            g.id
                        ),
                    );
                }
            }
        }
        let mut target_ids = HashSet::new();
        for (i, t) in self.targets.iter().enumerate() {
            if !target_ids.insert(t.id.as_str()) {
                err(
                    Item::Target(i),
                    "id",
                    format!("target id `{}` is used twice", t.id),
                );
            }
            if !goal_ids.contains_key(t.goal.as_str()) {
                err(
                    Item::Target(i),
                    "goal",
                    format!(
                        "target `{}` names goal `{}`, which is not a goal of this strategy",
                        t.id, t.goal
                    ),
                );
            }
            if let Some(b) = t.baseline_year {
                if b >= t.target_year {
                    err(
                        Item::Target(i),
                        "baseline_year",
                        format!(
                            "target `{}` has its baseline year {b} at or after its target year {}",
                            t.id, t.target_year
                        ),
                    );
                }
            }
            if !(1990..=2100).contains(&t.target_year) {
                err(
                    Item::Target(i),
                    "target_year",
                    format!(
                        "target `{}` has an implausible target year {}",
                        t.id, t.target_year
                    ),
                );
            }
            match &t.kind {
                TargetKind::Threshold { value, .. }
                | TargetKind::Flow {
                    per_year: value, ..
                } if !value.is_finite() => err(
                    Item::Target(i),
                    "value",
                    format!("target `{}` has a value that is not a number", t.id),
                ),
                TargetKind::Change { by, .. } if !by.is_finite() || *by <= 0.0 => err(
                    Item::Target(i),
                    "value",
                    format!("target `{}` needs a positive change", t.id),
                ),
                TargetKind::Change {
                    change: crate::target::Change::Decrease,
                    by,
                    points: false,
                } if *by > 100.0 => err(
                    Item::Target(i),
                    "value",
                    format!("target `{}` cannot decrease by more than 100 percent", t.id),
                ),
                TargetKind::Direction { .. } | TargetKind::Change { .. }
                    if t.baseline_year.is_none() =>
                {
                    err(
                        Item::Target(i),
                        "baseline_year",
                        format!(
                            "target `{}` says a value shall change, so it needs a baseline year",
                            t.id
                        ),
                    )
                }
                TargetKind::Gap { .. } if t.baseline_year.is_none() => err(
                    Item::Target(i),
                    "baseline_year",
                    format!(
                        "target `{}` says a gap shall shrink, so it needs a baseline year",
                        t.id
                    ),
                ),
                TargetKind::Relative { reference, .. }
                | TargetKind::Gap {
                    other: reference, ..
                } if reference.indicator == t.series.indicator
                    && reference.unit_or(&self.owner) == t.series.unit_or(&self.owner)
                    && reference.sex == t.series.sex =>
                {
                    err(
                        Item::Target(i),
                        "reference",
                        format!("target `{}` compares its series with itself", t.id),
                    )
                }
                _ => {}
            }
        }
        for (i, a) in self.activities.iter().enumerate() {
            if let Some(g) = &a.goal {
                if !goal_ids.contains_key(g.as_str()) {
                    err(
                        Item::Activity(i),
                        "goal",
                        format!(
                            "activity `{}` names goal `{g}`, which is not a goal of this strategy",
                            a.id
                        ),
                    );
                }
            }
            if a.responsible.trim().is_empty() {
                err(
                    Item::Activity(i),
                    "responsible",
                    format!("activity `{}` has no responsible department", a.id),
                );
            }
        }
        errs
    }

    /// Every indicator the strategy uses, in areas or targets, without repeats.
    pub fn indicators(&self) -> Vec<IndicatorId> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let from_targets = self
            .targets
            .iter()
            .flat_map(|t| t.series_used().into_iter().map(|s| &s.indicator));
        for id in self
            .areas
            .iter()
            .flat_map(|a| a.indicators.iter())
            .chain(from_targets)
        {
            if seen.insert(id.clone()) {
                out.push(id.clone());
            }
        }
        out
    }

    pub fn goal(&self, id: &str) -> Option<&Goal> {
        self.goals.iter().find(|g| g.id == id)
    }

    /// The long-term goals (roots of the tree) in file order.
    pub fn root_goals(&self) -> impl Iterator<Item = &Goal> {
        self.goals.iter().filter(|g| g.parent.is_none())
    }

    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Goal> + 'a {
        self.goals
            .iter()
            .filter(move |g| g.parent.as_deref() == Some(id))
    }

    /// The root goal a goal belongs to.
    pub fn root_of<'a>(&'a self, id: &'a str) -> &'a str {
        let mut cur = id;
        for _ in 0..=self.goals.len() {
            match self.goal(cur).and_then(|g| g.parent.as_deref()) {
                Some(p) => cur = p,
                None => break,
            }
        }
        cur
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
