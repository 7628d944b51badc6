//! How much of the identity pools' setup the linked model lets the scan check.

use super::{Model, SlotKind};

/// How much of the identity pools' setup the scan could check: every slot is either checked
/// through a role it found, or not checked with a finding that says why (CT202, CT901).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// Identity pools found.
    pub pools: usize,
    /// Role slots of their attachments: `authenticated`, `unauthenticated`, role-mapping rules,
    /// user pool groups reached through `Token` mappings, roles of a computed `roles` map; and
    /// each computed `roles` map whose roles could not be told.
    pub slots: usize,
    /// Roles whose trust was checked for a slot.
    pub roles_checked: usize,
    /// Slots whose role was not checked (each has a CT202 or CT901 finding).
    pub not_checked: usize,
}

impl Model {
    /// What the linked model covers: see [`Coverage`].
    pub fn coverage(&self) -> Coverage {
        let mut slots = std::collections::HashSet::new();
        let mut opaque = 0;
        for (a, att) in self.attachments.iter().enumerate() {
            for v in &att.variants {
                for s in &v.value.slots {
                    // The roles of a computed `roles` map share its place: each is a slot.
                    let role =
                        if s.kind == SlotKind::Unknown { s.role.value.describe() } else { String::new() };
                    slots.insert((a, s.kind.describe(), s.key.as_str(), s.role.loc, role));
                }
                if v.value.opaque_roles && !v.value.slots.iter().any(|s| s.kind == SlotKind::Unknown) {
                    opaque += 1;
                }
            }
        }
        let mut not_checked = std::collections::HashSet::new();
        for un in &self.unresolved {
            let s = &self.attachments[un.attachment].variants[un.variant].value.slots[un.slot];
            let role = if s.kind == SlotKind::Unknown { s.role.value.describe() } else { String::new() };
            not_checked.insert((un.attachment, s.kind.describe(), s.key.as_str(), s.role.loc, role));
        }
        // A slot whose role's trust policy could not be read in any variant was not checked
        // either (CT901 says why).
        let mut read = std::collections::HashSet::new();
        let mut unread = std::collections::HashSet::new();
        for u in &self.uses {
            let s = &self.attachments[u.attachment].variants[u.variant].value.slots[u.slot];
            let role = if s.kind == SlotKind::Unknown { s.role.value.describe() } else { String::new() };
            let slot = (u.attachment, s.kind.describe(), s.key.as_str(), s.role.loc, role);
            if self.trust(u).is_some() {
                read.insert(slot)
            } else {
                unread.insert(slot)
            };
        }
        not_checked.extend(unread.into_iter().filter(|slot| !read.contains(slot)));
        let roles: std::collections::HashSet<usize> =
            self.uses.iter().filter(|u| self.trust(u).is_some()).map(|u| u.role).collect();
        Coverage {
            pools: self.pools.len(),
            slots: slots.len() + opaque,
            roles_checked: roles.len(),
            not_checked: not_checked.len() + opaque,
        }
    }
}
