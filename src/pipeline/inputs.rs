//! What a scan has read, by kind ([`Inputs`]): each file gets its id as it is added, and the
//! front ends build the linked model from it.

use std::path::Path;

use rayon::prelude::*;

use crate::frontend::{self, cfn, terraform};
use crate::load::{Other, Prepared};
use crate::options::Options;
use crate::rules::Finding;
use crate::source::{FileId, InputError, SourceFile, display_path};
use crate::syntax::{self, SyntaxError};
use crate::{discover, guard, link, model, selection, source};

/// Everything read, by kind, with the files' ids assigned in path order.
#[derive(Default)]
pub(super) struct Inputs {
    pub(super) files: Vec<SourceFile>,
    pub(super) templates: Vec<cfn::Template>,
    pub(super) tf_files: Vec<terraform::source::TfFile>,
    pub(super) plans: Vec<(FileId, syntax::Node)>,
    pub(super) errors: Vec<InputError>,
    pub(super) assemblies: Vec<frontend::cdk::Read>,
    /// The files Serverless Framework services include.
    pub(super) fragments: Vec<FileId>,
}

impl Inputs {
    pub(super) fn add(&mut self, item: Prepared) {
        let id = self.files.len();
        match item {
            Prepared::Indexed { file, mut template, issues, fragments } => {
                template.set_file(id);
                for e in issues {
                    let loc = template.loc(e.span);
                    let path = if loc.file == id { &file } else { &fragments[loc.file - id - 1] };
                    let path = Some(path.display.clone());
                    self.errors.push(InputError {
                        message: e.message,
                        path,
                        place: Some((loc.file, loc.span)),
                    });
                }
                self.files.push(file);
                self.fragments.extend(self.files.len()..self.files.len() + fragments.len());
                self.files.extend(fragments);
                self.templates.push(*template);
            }
            Prepared::Other(Other::Terraform { file, root, issues }) => {
                self.push_issues(&file, issues);
                let dir = source::parent_dir(&file.display).to_string();
                self.files.push(file);
                self.tf_files.push(terraform::source::TfFile { file: id, dir, root });
            }
            Prepared::Other(Other::Plan { file, root, issues }) => {
                self.push_issues(&file, issues);
                self.files.push(file);
                self.plans.push((id, root));
            }
            Prepared::Other(Other::Broken { file, path, error }) => {
                let place = file.map(|f| {
                    self.files.push(f);
                    (id, error.span)
                });
                self.errors.push(InputError { message: error.message, path: Some(path), place });
            }
            Prepared::Other(Other::Assembly(read)) => self.assemblies.push(read),
            Prepared::Other(Other::Skipped) => {}
        }
    }

    /// Reads again the released texts the report needs: files with findings, related places,
    /// errors or suppressions. A file that changed since is an error.
    pub(super) fn restore_texts(&mut self, findings: &[Finding], model: &model::Model) {
        let mut needed: Vec<FileId> = Vec::new();
        for f in findings {
            needed.push(f.loc.file);
            needed.extend(f.related.iter().map(|r| r.loc.file));
            needed.extend(f.fix.iter().flat_map(|x| x.changes.iter().map(|c| c.at().file)));
        }
        needed.extend(self.errors.iter().filter_map(|e| e.place.map(|(file, _)| file)));
        needed.extend(model.places.resource_suppressions.iter().map(|s| s.file));
        needed.extend((0..self.files.len()).filter(|&i| !self.files[i].comments.is_empty()));
        needed.sort_unstable();
        needed.dedup();
        let restored: Vec<(FileId, Result<(), String>)> = {
            let files = &mut self.files;
            let mut wanted: Vec<(FileId, &mut SourceFile)> = files
                .iter_mut()
                .enumerate()
                .filter(|(i, f)| f.is_released() && needed.binary_search(i).is_ok())
                .collect();
            wanted.par_iter_mut().map(|(i, f)| (*i, f.restore())).collect()
        };
        for (id, result) in restored {
            if let Err(message) = result {
                let path = Some(self.files[id].display.clone());
                self.errors.push(InputError { message, path, place: None });
            }
        }
    }

    /// How each file is written, for help in its own syntax.
    pub(super) fn dialects(&self) -> Vec<model::Dialect> {
        let plans: std::collections::HashSet<FileId> = self.plans.iter().map(|(id, _)| *id).collect();
        let serverless = |i: usize, f: &SourceFile| {
            frontend::serverless::is_service_file(Path::new(&f.display)) || self.fragments.contains(&i)
        };
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| model::Dialect::for_file(f.syntax, serverless(i, f), plans.contains(&i)))
            .collect()
    }

    /// The config file, as a file of the report when its `[[suppress]]` entries need places.
    pub(super) fn add_config_file(&mut self, opts: &Options) -> Option<FileId> {
        let (path, text) = opts.config.source.as_ref()?;
        if opts.config.suppress.is_empty() {
            return None;
        }
        self.files.push(SourceFile::new(display_path(path, &opts.cwd), text.clone()));
        Some(self.files.len() - 1)
    }

    /// Guard rule files that cannot be read or parsed, as errors in their own text.
    pub(super) fn add_guard_errors(&mut self, errors: Vec<guard::PackError>) {
        for e in errors {
            let place = e.place.map(|(text, span)| {
                self.files.push(SourceFile::new(e.path.clone(), text));
                (self.files.len() - 1, span)
            });
            let path = Some(e.path).filter(|p| !p.is_empty());
            self.errors.push(InputError { message: e.message, path, place });
        }
    }

    /// The Guard failures of each template that `--select`/`--ignore` keep, with construct
    /// paths; evaluation errors become input errors of the template.
    pub(super) fn guard_findings(
        &mut self,
        checked: Vec<(FileId, guard::Checked)>,
        opts: &Options,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        for (file, checked) in checked {
            for message in checked.errors {
                let path = Some(self.files[file].display.clone());
                self.errors.push(InputError { message, path, place: None });
            }
            let template = self.templates.iter().find(|t| t.file == file);
            for hit in checked.hits {
                if !selection::guard_selected(hit.rule.code, &opts.select, &opts.ignore) {
                    continue;
                }
                let resource = template.and_then(|t| t.resource(&hit.resource));
                let mut finding = hit.finding(file, resource.and_then(|r| r.cdk_path.clone()));
                // A Serverless Framework service's spans reach into the files it includes.
                if let Some(t) = template {
                    finding.loc = t.loc(finding.loc.span);
                }
                out.push(finding);
            }
        }
        out
    }

    fn push_issues(&mut self, file: &SourceFile, issues: impl IntoIterator<Item = SyntaxError>) {
        let id = self.files.len();
        for e in issues {
            self.errors.push(InputError {
                message: e.message,
                path: Some(file.display.clone()),
                place: Some((id, e.span)),
            });
        }
    }

    /// The linked model of every input. A plan whose resources the scanned `.tf` sources
    /// define is read only for what the sources lack; its places become related locations.
    pub(super) fn model(&mut self, roots: &discover::Roots) -> model::Model {
        let mut model = model::Model::default();
        cfn::extract::extract(&self.templates, &mut model);
        let sources = terraform::source::Sources::new(&self.tf_files, &self.files, roots);
        sources.extract(&mut model);
        let defined: std::collections::HashSet<String> =
            sources.addresses().into_iter().map(|(a, _)| a).collect();
        // Sources name a counted resource, or a module whose count is one or none, without
        // the key the plan names each instance by.
        let source_address = |a: &str| -> Option<String> {
            let base = terraform::plan::without_instance(a);
            let unkeyed = terraform::plan::without_keys(a);
            [a, base, &unkeyed].into_iter().find(|s| defined.contains(*s)).map(String::from)
        };
        for (file, root) in &self.plans {
            let plan = terraform::plan::Plan::new(*file, root, &self.files);
            let planned = plan.addresses();
            let in_sources = |a: &str| source_address(a).is_some();
            let covered = planned.iter().any(|(a, _)| in_sources(a));
            for (address, loc) in planned.iter().filter(|_| covered) {
                if let Some(source) = source_address(address) {
                    model.places.plan_places.entry(source).or_insert(*loc);
                }
            }
            plan.extract(&mut model, &|a: &str| covered && in_sources(a));
        }
        // Files `file()` and `templatefile()` read: their ids follow the scanned files.
        let read = sources.take_read_files();
        drop(sources);
        self.files.extend(read);
        link::link(&mut model);
        model
    }
}
