#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after the other, seeded from
# corpus/<target> (testdata and the shared corpus), and prints libFuzzer's final stats line.
# cargo-fuzz needs nightly flags: RUSTC_BOOTSTRAP lets the stable toolchain take them.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
export RUSTC_BOOTSTRAP=1

# The terraform target reads a module tree from one input, its files split at 0xFF bytes
# (main.tf, modules/a, modules/b, modules/a/c): each fixture folder of testdata/terraform
# becomes one seed (its root module, then its modules mapped onto a and b), with a few
# hostile trees beside them.
seed_terraform() {
  local out=corpus/terraform dir module n
  mkdir -p "$out"
  for dir in ../testdata/terraform/*/*/; do
    compgen -G "$dir*.tf" > /dev/null || continue
    n=$(printf '%s' "$dir" | tr -c 'A-Za-z0-9_' '_')
    {
      sed -e 's#"\./modules/[A-Za-z0-9_-]*"#"./modules/a"#' "$dir"*.tf
      for module in "$dir"modules/*/; do
        compgen -G "$module*.tf" > /dev/null && { printf '\xff'; cat "$module"*.tf; }
      done
    } > "$out/seed-$n"
  done
  printf 'module "a" {\n  source = "./modules/a"\n}\n\xffmodule "b" {\n  source = "../b"\n}\n\xffmodule "a" {\n  source = "../a"\n  x = module.a.y\n}\n\xffmodule "up" {\n  source = "./"\n}\n' > "$out/seed-cycles"
  printf 'locals {\n  l = ["a", "b"]\n}\nresource "aws_iam_role" "r" {\n  assume_role_policy = <<EOF\n{"Statement": [%%{ for i, x in local.l ~}{"Effect": "Allow", "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "${x}"}}}%%{ if i == "0" },%%{ endif }%%{ endfor ~}]}\nEOF\n}\n' > "$out/seed-directives"
  printf 'locals {\n  a = "${local.b}${local.b}"\n  b = "${local.c}${local.c}"\n  c = "${local.a}x"\n}\nmodule "m" {\n  source = "./modules/a"\n  v = "${local.a}${local.a}"\n}\n\xffvariable "v" {}\nmodule "n" {\n  source = "./c"\n  v = "${var.v}${var.v}"\n}\nmodule "o" {\n  source = "./c"\n  v = var.v\n}\noutput "o" {\n  value = module.n.o\n}\n\xff\xffvariable "v" {}\noutput "o" {\n  value = "${var.v}${var.v}"\n}\n' > "$out/seed-fan-out"
}
# The cdk target reads an assembly from one input, split at 0xFF bytes (manifest, template,
# asset manifest, metadata, nested template): the committed test app's files are its seed.
seed_cdk() {
  local out=corpus/cdk app=../testdata/cdk/cdk.out
  mkdir -p "$out"
  {
    sed -e 's/BrokenStack\.\(template\|assets\|metadata\)\.json/Stack.\1.json/g' "$app/manifest.json"
    printf '\xff'; cat "$app/BrokenStack.template.json"; printf '\xff'
    cat "$app/BrokenStack.assets.json"; printf '\xff'
    cat "$app/BrokenStack.metadata.json" 2>/dev/null || true
  } > "$out/seed-app"
}

# The serverless target reads a service and three files it may include from one input, split at
# 0xFF bytes: each fixture folder of testdata/serverless becomes one seed.
seed_serverless() {
  local out=corpus/serverless dir n
  mkdir -p "$out"
  for dir in ../testdata/serverless/*/*/; do
    [ -f "$dir/serverless.yml" ] || continue
    n=$(printf '%s' "$dir" | tr -c 'A-Za-z0-9_' '_')
    {
      sed -e 's#\${file([^)]*)#${file(resources/a.yml)#' "$dir/serverless.yml"
      for f in "$dir"resources/*.yml; do [ -f "$f" ] && { printf '\xff'; cat "$f"; }; done
    } > "$out/seed-$n"
  done
  printf 'custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n  c: ${file(config.json):x, self:custom.a}\nresources:\n  - ${file(resources/a.yml)}\n  - ${file(../../etc/hostname)}\n\xffResources: ${file(resources/b.yml)}\n\xffResources: {R: {Type: AWS::IAM::Role, Properties: {RoleName: "${self:custom.c}"}}}\n\xff{"x": "${self:custom}"}\n' > "$out/seed-hostile"
}

# The fix target takes a kind byte (0 YAML, 1 JSON, 2 Terraform, 3 Serverless) and a file's
# text: each fix fixture and each rule fixture that has fixes is one seed.
seed_fix() {
  local out=corpus/fix f kind n
  mkdir -p "$out"
  for f in ../testdata/fix/*/*/* ../testdata/cfn/*/fail*.yaml ../testdata/cfn/*/fail*.json ../testdata/terraform/*/fail*/main.tf; do
    case "$f" in
      *.fixed) continue ;;
      *serverless.yml) kind='\003' ;;
      *.yaml|*.yml) kind='\000' ;;
      *.json) kind='\001' ;;
      *.tf) kind='\002' ;;
      *) continue ;;
    esac
    n=$(printf '%s' "$f" | tr -c 'A-Za-z0-9_' '_')
    { printf "$kind"; cat "$f"; } > "$out/seed-$n"
  done
}

cargo fuzz build -O
seed_terraform
seed_cdk
seed_serverless
seed_fix
for target in yaml json hcl cloudformation plan human terraform cdk serverless fix; do
  mkdir -p "corpus/$target" "artifacts/$target"
  echo "== $target"
  # The cdk and fix targets scan through `cognitrust::scan`, whose worker and freeing threads each leave
  # glibc's 32-byte list of thread-local destructors behind when the process exits: not a leak
  # of ours, and LeakSanitizer would stop the run at it.
  leaks=1; [ "$target" = cdk ] || [ "$target" = fix ] && leaks=0
  cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -detect_leaks="$leaks" \
    -max_len=65536 -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==.*ERROR|SUMMARY)" || true
done
