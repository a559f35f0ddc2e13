{{/* Chart name, truncated to the 63 characters Kubernetes allows in names. */}}
{{- define "conduit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified release name; a release called "conduit" is not doubled to conduit-conduit. */}}
{{- define "conduit.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "conduit.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every object of the release. */}}
{{- define "conduit.labels" -}}
helm.sh/chart: {{ include "conduit.chart" . }}
app.kubernetes.io/name: {{ include "conduit.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: conduit
{{- end }}

{{/* Selector labels of one component. Call with (dict "root" $ "name" "api-gateway"). */}}
{{- define "conduit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "conduit.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* All labels of one component's objects. Call with (dict "root" $ "name" "api-gateway"). */}}
{{- define "conduit.componentLabels" -}}
{{ include "conduit.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Name of one component's objects (Deployment, Service, PDB, HPA, NetworkPolicy). */}}
{{- define "conduit.componentName" -}}
{{- printf "%s-%s" (include "conduit.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "conduit.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "conduit.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image of a component: "<image.repository>-<name>:<tag>". Call with (dict "root" $ "name" "api-gateway"). */}}
{{- define "conduit.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag | toString }}
{{- if eq $tag "latest" }}
{{- fail "image.tag must be a fixed version, not \"latest\"" }}
{{- end }}
{{- printf "%s-%s:%s" .root.Values.image.repository .name $tag }}
{{- end }}

{{- define "conduit.configMapName" -}}
{{- printf "%s-config" (include "conduit.fullname" .) }}
{{- end }}

{{/* The Secret every service loads: the user's existingSecret or the one the chart creates. */}}
{{- define "conduit.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-secrets" (include "conduit.fullname" .) }}
{{- end }}
{{- end }}

{{/* In-cluster URL of a component's Service. Call with (dict "root" $ "name" "billing"). */}}
{{- define "conduit.componentUrl" -}}
{{- $svc := index .root.Values.services .name }}
{{- printf "http://%s:%v" (include "conduit.componentName" .) $svc.port }}
{{- end }}

{{/* QDRANT_URL: config.qdrantUrl, else the Qdrant sub-chart's Service when qdrant.enabled. */}}
{{- define "conduit.qdrantUrl" -}}
{{- if .Values.config.qdrantUrl }}
{{- .Values.config.qdrantUrl }}
{{- else if .Values.qdrant.enabled }}
{{- $name := "qdrant" }}
{{- $full := "" }}
{{- if .Values.qdrant.fullnameOverride }}
{{- $full = .Values.qdrant.fullnameOverride }}
{{- else if contains $name .Release.Name }}
{{- $full = .Release.Name }}
{{- else }}
{{- $full = printf "%s-%s" .Release.Name $name }}
{{- end }}
{{- printf "http://%s:6333" ($full | trunc 63 | trimSuffix "-") }}
{{- end }}
{{- end }}

{{/* Resource presets per sizing tier. */}}
{{- define "conduit.tierPresets" -}}
small:
  requests: {cpu: 100m, memory: 256Mi}
  limits: {cpu: "1", memory: 512Mi}
medium:
  requests: {cpu: 250m, memory: 512Mi}
  limits: {cpu: "2", memory: 1Gi}
large:
  requests: {cpu: 500m, memory: 1Gi}
  limits: {cpu: "4", memory: 2Gi}
{{- end }}

{{/* A component's resources: its tier's preset, overlaid with its explicit `resources`.
     Call with (dict "root" $ "svc" $svc). */}}
{{- define "conduit.resources" -}}
{{- $tier := default .root.Values.tier .svc.tier }}
{{- $presets := include "conduit.tierPresets" . | fromYaml }}
{{- if not (hasKey $presets $tier) }}
{{- fail (printf "unknown tier %q: use small, medium or large" $tier) }}
{{- end }}
{{- $preset := deepCopy (get $presets $tier) }}
{{- toYaml (mustMergeOverwrite $preset (deepCopy (default dict .svc.resources))) }}
{{- end }}

{{/* Fails rendering when an environment variable that should be secret is given as plain config. */}}
{{- define "conduit.assertNotSecret" -}}
{{- $key := upper . }}
{{- /* TOKEN as a word (INTERNAL_TOKEN, MY_TOKEN_FILE), not token counts (MAX_TOKENS_LIMIT, CHUNK_TOKENS). */}}
{{- if or (hasSuffix "_KEY" $key) (contains "PASSWORD" $key) (contains "SECRET" $key) (regexMatch "(^|_)TOKEN(_|$)" $key) (hasSuffix "DATABASE_URL" $key) (hasSuffix "REDIS_URL" $key) }}
{{- fail (printf "%s looks like a secret: put it in the Secret (secrets.existingSecret), not in config.extraEnv or services.*.env" .) }}
{{- end }}
{{- end }}

{{/* Pod security context, container security context and the /tmp volume shared by all pods. */}}
{{- define "conduit.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end }}

{{- define "conduit.containerSecurityContext" -}}
{{ toYaml .Values.securityContext }}
{{- end }}

{{/* True ("true") when the chart has what it needs to run the migration Job. */}}
{{- define "conduit.migrationsRunnable" -}}
{{- if and .Values.migrations.enabled (or .Values.secrets.existingSecret .Values.secrets.databaseUrl) }}true{{ end }}
{{- end }}

{{/* NetworkPolicy egress rule allowing DNS to any resolver (kube-dns or node-local). */}}
{{- define "conduit.egressDns" -}}
- ports:
    {{- range .Values.networkPolicy.egress.dnsPorts }}
    - port: {{ . }}
      protocol: UDP
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}

{{- /* One egress rule to the given TCP ports, limited to `cidrs` when any are given. */ -}}
{{- define "conduit.egressRule" -}}
- ports:
    {{- range .ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
  {{- with .cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}

{{/*
The internal hop's shared secret for the Secret the chart creates: secrets.internalToken when
given; else the value already in the release's live Secret (so upgrades keep it and running pods
keep agreeing); else a new random one. `lookup` finds nothing under `helm template`, which then
renders a fresh value each time.
*/}}
{{- define "conduit.internalToken" -}}
{{- if .Values.secrets.internalToken }}
{{- .Values.secrets.internalToken }}
{{- else }}
{{- $live := lookup "v1" "Secret" .Release.Namespace (include "conduit.secretName" .) }}
{{- if and $live $live.data (hasKey $live.data "INTERNAL_TOKEN") }}
{{- index $live.data "INTERNAL_TOKEN" | b64dec }}
{{- else }}
{{- randAlphaNum 48 }}
{{- end }}
{{- end }}
{{- end }}
