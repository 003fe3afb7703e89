// Offline checks of Tandem's Kubernetes manifests, and their translation for `podman kube play`.
// Needs the npm packages kubernetes-models@5.1.0 and yaml@2: tests/deploy/k8s_test.sh installs
// them into a cache folder and runs a copy of this file from there (ES modules resolve
// packages beside the importing file).
//
//   node k8s_manifests.mjs check FILE...
//     Every document must parse, name a known apiVersion/kind, pass kubernetes-models' schema
//     validation, and use only fields the API defines (the schemas accept unknown fields: a
//     misspelt "readinesProbe" would be dropped by a cluster without a word, so the field
//     names are checked against the models' type declarations here). Then Tandem's own rules:
//     every container has memory requests and limits, readiness and liveness probes, and
//     runs as a non-root user. Exit 1 listing every problem.
//
//   node k8s_manifests.mjs podman RENDERED.yaml OUT_DIR SECRETS_DIR HOST_PORT PREFIX
//     Splits `kubectl kustomize` output into what podman 4.3 can play, one file per workload
//     (OUT_DIR/<Deployment name>.yaml, with its PersistentVolumeClaims; PREFIX is put before
//     the names of both so that a test's pods and volumes are its own), adapted where podman
//     differs from a cluster:
//       - secret volumes become hostPath volumes of SECRETS_DIR (podman 4.3's kube play
//         crashes on secret volumes);
//       - the downward API's status.podIP is not supported: the POD_IP variable and
//         --advertise_host=$(POD_IP) are dropped (the worker then advertises its address on
//         the route to the coordinator: the same pod address);
//       - a declared containerPort is published by podman on the host: the coordinator's gRPC
//         port goes to 127.0.0.1:HOST_PORT, other declared ports are dropped;
//       - the image is used as the local one (imagePullPolicy: Never).
//     Services are not played (podman ignores them); the test stands in for the Service name
//     with a network alias.
import { readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import { parseAllDocuments, stringify } from "yaml";

const require = createRequire(import.meta.url);
const modelsDir = dirname(require.resolve("kubernetes-models/package.json"));
const machineryDir = dirname(require.resolve("@kubernetes-models/apimachinery/package.json"));

function readDocs(file) {
  const out = [];
  for (const d of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
    const o = d.toJS();
    if (o) out.push(o);
  }
  return out;
}

// Field names and types of every interface the models declare: "IIoK8sApiAppsV1DeploymentSpec"
// -> { replicas: "number", template: "IIoK8sApiCoreV1PodTemplateSpec", ... }.
function loadTypes() {
  const types = new Map();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".d.ts")) parseDeclarations(readFileSync(p, "utf8"), types);
    }
  };
  walk(modelsDir);
  walk(machineryDir);
  return types;
}

function parseDeclarations(text, types) {
  const aliases = new Map();  // local interface name -> exported IIoK8s... name
  for (const m of text.matchAll(/export type \{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const [local, as] = part.split(" as ").map((s) => s.trim());
      if (as && as.startsWith("IIoK8s")) aliases.set(local, as);
    }
  }
  for (const m of text.matchAll(/export interface (\w+)(?: extends [^{]*)? \{([\s\S]*?)\n\}/g)) {
    const name = aliases.get(m[1]) ?? m[1];
    types.set(name, parseFields(m[2].replace(/\/\*[\s\S]*?\*\//g, "")));
  }
}

// The properties of an interface body: "name"?: TYPE; where TYPE may span lines ({...}).
function parseFields(body) {
  const fields = {};
  const re = /"([^"]+)"\??: /g;
  let m;
  while ((m = re.exec(body))) {
    let depth = 0, i = re.lastIndex;
    for (; i < body.length; i++) {
      const ch = body[i];
      if (ch === "{" || ch === "<" || ch === "(") depth++;
      else if (ch === "}" || ch === ">" || ch === ")") depth--;
      else if (ch === ";" && depth === 0) break;
    }
    fields[m[1]] = body.slice(re.lastIndex, i).replace(/\s+/g, " ").trim();
    re.lastIndex = i + 1;
  }
  return fields;
}

// Unknown fields of `value` read as `type`, with their paths.
function unknownFields(value, type, types, path, out) {
  if (value === null || value === undefined) return;
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, m[1], types, `${path}[${i}]`, out));
    return;
  }
  if ((m = /^\{ ?\[key: string\]: (.+?);? ?\}$/.exec(type))) {
    for (const [k, v] of Object.entries(value)) unknownFields(v, m[1], types, `${path}.${k}`, out);
    return;
  }
  const fields = types.get(type);
  if (!fields || typeof value !== "object" || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (!(k in fields)) out.push(`${path}.${k}: unknown field (of ${type.replace(/^IIoK8s/, "")})`);
    else unknownFields(v, fields[k].replace(/ \| undefined$/, ""), types, `${path}.${k}`, out);
  }
}

const KINDS = {
  "v1/Namespace": "IIoK8sApiCoreV1Namespace",
  "v1/Secret": "IIoK8sApiCoreV1Secret",
  "v1/Service": "IIoK8sApiCoreV1Service",
  "v1/PersistentVolumeClaim": "IIoK8sApiCoreV1PersistentVolumeClaim",
  "apps/v1/Deployment": "IIoK8sApiAppsV1Deployment",
};

async function check(files) {
  const types = loadTypes();
  const problems = [];
  let count = 0;
  for (const file of files) {
    let docs;
    try { docs = readDocs(file); } catch (e) { problems.push(e.message); continue; }
    for (const o of docs) {
      if (o.kind === "Kustomization") continue;  // rendered by kubectl kustomize instead
      count++;
      const where = `${file}: ${o.kind}/${o.metadata?.name}`;
      const key = `${o.apiVersion}/${o.kind}`;
      if (!KINDS[key]) { problems.push(`${where}: apiVersion/kind ${key} is not one Tandem ships`); continue; }
      const [g, v] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
      // The API reads base64 with line breaks (kustomize wraps long values); the schema does not.
      if (o.kind === "Secret") for (const k of Object.keys(o.data ?? {})) o.data[k] = String(o.data[k]).replace(/\s+/g, "");
      try {
        const M = (await import(`kubernetes-models/${g ? g + "/" : ""}${v}/${o.kind}`))[o.kind];
        new M(o).validate();
      } catch (e) { problems.push(`${where}: ${e.message}`); }
      const unknown = [];
      unknownFields(o, KINDS[key], types, "", unknown);
      for (const u of unknown) problems.push(`${where}: ${u}`);
      if (o.kind === "Deployment") {
        const pod = o.spec?.template?.spec ?? {};
        if (!pod.securityContext?.runAsNonRoot) problems.push(`${where}: pod securityContext.runAsNonRoot is not true`);
        for (const c of pod.containers ?? []) {
          const at = `${where}: container ${c.name}`;
          if (!c.resources?.requests?.memory || !c.resources?.limits?.memory) problems.push(`${at}: no memory request and limit`);
          if (!c.readinessProbe) problems.push(`${at}: no readinessProbe`);
          if (!c.livenessProbe) problems.push(`${at}: no livenessProbe`);
        }
      }
    }
  }
  for (const p of problems) console.error(p);
  console.log(`k8s_manifests: ${count} objects, ${problems.length} problems`);
  return problems.length ? 1 : 0;
}

function forPodman(rendered, outDir, secretsDir, hostPort, prefix) {
  const docs = readDocs(rendered);
  const claims = docs.filter((o) => o.kind === "PersistentVolumeClaim");
  const written = [];
  for (const d of docs.filter((o) => o.kind === "Deployment")) {
    delete d.metadata.namespace;
    const pod = d.spec.template.spec;
    const used = [];
    for (const v of pod.volumes ?? []) {
      if (v.secret) {
        delete v.secret;
        v.hostPath = { path: secretsDir, type: "Directory" };
      }
      if (v.persistentVolumeClaim) {
        used.push(v.persistentVolumeClaim.claimName);
        v.persistentVolumeClaim.claimName = prefix + v.persistentVolumeClaim.claimName;
      }
    }
    for (const c of pod.containers) {
      c.imagePullPolicy = "Never";
      c.env = (c.env ?? []).filter((e) => e.valueFrom?.fieldRef?.fieldPath !== "status.podIP");
      if (!c.env.length) delete c.env;
      c.args = (c.args ?? []).filter((a) => a !== "--advertise_host=$(POD_IP)");
      c.ports = (c.ports ?? []).filter((p) => p.name === "grpc");
      for (const p of c.ports) { p.hostIP = "127.0.0.1"; p.hostPort = Number(hostPort); }
      if (!c.ports.length) delete c.ports;
    }
    const own = claims.filter((c) => used.includes(c.metadata.name))
      .map((c) => ({ ...c, metadata: { ...c.metadata, namespace: undefined, name: prefix + c.metadata.name } }));
    const file = join(outDir, `${d.metadata.name}.yaml`);
    d.metadata.name = prefix + d.metadata.name;
    writeFileSync(file, [...own, d].map((o) => stringify(o)).join("---\n"));
    written.push(file);
  }
  console.log(written.join("\n"));
  return 0;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "check") process.exit(await check(args));
if (mode === "podman" && args.length === 5 && existsSync(args[0])) process.exit(forPodman(...args));
console.error("usage: node k8s_manifests.mjs check FILE... | podman RENDERED OUT_DIR SECRETS_DIR HOST_PORT PREFIX");
process.exit(2);
