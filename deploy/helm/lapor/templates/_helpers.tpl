{{/* Names and labels */}}

{{- define "lapor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lapor.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "lapor.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "lapor.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "lapor.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" -}}
{{- end -}}

{{/* Labels of every object; the pods the chart runs also carry lapor.selectorLabels. */}}
{{- define "lapor.labels" -}}
helm.sh/chart: {{ include "lapor.chart" . }}
app.kubernetes.io/part-of: lapor
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selects the pods this release runs itself (not the engines' pods, which their operators label). */}}
{{- define "lapor.releaseSelector" -}}
app.kubernetes.io/name: {{ include "lapor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selects one component's pods: (dict "root" $ "component" "intake") */}}
{{- define "lapor.selectorLabels" -}}
{{ include "lapor.releaseSelector" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "lapor.componentName" -}}
{{- printf "%s-%s" (include "lapor.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lapor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "lapor.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "lapor.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Engines: operator-managed objects' names, and where each service finds them */}}

{{- define "lapor.mongodbName" -}}
{{- printf "%s-mongodb" (include "lapor.fullname" .) -}}
{{- end -}}

{{- define "lapor.rabbitmqName" -}}
{{- printf "%s-rabbitmq" (include "lapor.fullname" .) -}}
{{- end -}}

{{/* The Secret key holding LAPOR_MONGO_URL: the operator's connection-string Secret, or the external one. */}}
{{- define "lapor.mongoUrlRef" -}}
{{- if .Values.mongodb.operator.enabled -}}
name: {{ include "lapor.mongodbName" . }}-{{ .Values.mongodb.operator.user }}
key: connectionString.standard
{{- else -}}
name: {{ required "mongodb.external.urlSecret.name: the Secret with LAPOR_MONGO_URL" .Values.mongodb.external.urlSecret.name }}
key: {{ required "mongodb.external.urlSecret.key" .Values.mongodb.external.urlSecret.key }}
{{- end -}}
{{- end -}}

{{/* The Secret key holding LAPOR_AMQP_URL (and KEDA's host): the operator's default user, or the external one. */}}
{{- define "lapor.amqpUrlRef" -}}
{{- if .Values.rabbitmq.operator.enabled -}}
name: {{ include "lapor.rabbitmqName" . }}-default-user
key: connection_string
{{- else -}}
name: {{ required "rabbitmq.external.urlSecret.name: the Secret with LAPOR_AMQP_URL" .Values.rabbitmq.external.urlSecret.name }}
key: {{ required "rabbitmq.external.urlSecret.key" .Values.rabbitmq.external.urlSecret.key }}
{{- end -}}
{{- end -}}

{{- define "lapor.otelEndpoint" -}}
{{- if .Values.otelCollector.enabled -}}
{{- printf "http://%s:4318" (include "lapor.componentName" (dict "root" . "component" "otel-collector")) -}}
{{- else -}}
{{- .Values.otelCollector.endpoint -}}
{{- end -}}
{{- end -}}

{{/*
A service's non-secret environment, as a YAML map (its ConfigMap's data):
(dict "root" $ "name" "intake" "svc" $svc). Values' env entries may use templates
("{{ .Values.publicUrls.api }}").
*/}}
{{- define "lapor.env" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $env := dict "LAPOR_ENVIRONMENT" $root.Values.environment "LAPOR_HOST" "0.0.0.0" "LAPOR_PORT" (toString $svc.port) "LAPOR_SERVICE" .name -}}
{{- with include "lapor.otelEndpoint" $root -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" . -}}
{{- end -}}
{{- if $svc.backend -}}
{{- $_ := set $env "LAPOR_JWT_ISSUER" $root.Values.oidc.issuer -}}
{{- $_ := set $env "LAPOR_JWT_JWKS_URL" $root.Values.oidc.jwksUrl -}}
{{- $_ := set $env "LAPOR_JWT_ALGORITHMS" $root.Values.oidc.algorithms -}}
{{- range $k, $v := $root.Values.backend.env }}{{ $_ := set $env $k (tpl (toString $v) $root) }}{{ end -}}
{{- end -}}
{{- if $svc.attachments -}}
{{- $_ := set $env "LAPOR_S3_ENDPOINT_URL" $root.Values.objectStorage.endpointUrl -}}
{{- $_ := set $env "LAPOR_S3_BUCKET" $root.Values.objectStorage.bucket -}}
{{- $_ := set $env "LAPOR_S3_REGION" $root.Values.objectStorage.region -}}
{{- range $k, $v := $root.Values.attachments.env }}{{ $_ := set $env $k (tpl (toString $v) $root) }}{{ end -}}
{{- end -}}
{{- range $peer := $svc.peers -}}
{{- $p := index $root.Values.services $peer -}}
{{- $_ := set $env (printf "LAPOR_%s_URL" (upper $peer)) (printf "http://%s:%v" (include "lapor.componentName" (dict "root" $root "component" $peer)) $p.port) -}}
{{- end -}}
{{- if eq .name "web" -}}
{{- $_ := set $env "LAPOR_OIDC_ISSUER" $root.Values.oidc.issuer -}}
{{- $_ := set $env "LAPOR_OIDC_CLIENT_ID" $root.Values.oidc.clientId -}}
{{- end -}}
{{- range $k, $v := $svc.env }}{{ $_ := set $env $k (tpl (toString $v) $root) }}{{ end -}}
{{- if and (eq .name "sla") $root.Values.slaPolicies -}}
{{- $_ := set $env "LAPOR_POLICY_DIR" "/etc/lapor/sla-policies" -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* One env entry from a Secret: (dict "env" "LAPOR_DATA_KEY" "ref" (dict "name" .. "key" ..)) */}}
{{- define "lapor.secretEnvVar" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .ref.name }}
      key: {{ .ref.key }}
{{- end -}}

{{/* A service's secret environment, references only: (dict "root" $ "svc" $svc) */}}
{{- define "lapor.secretEnv" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $named := dict -}}
{{- if $svc.backend -}}
{{- $named = merge $named $root.Values.backend.secretEnv -}}
{{- end -}}
{{- if $svc.attachments -}}
{{- $named = merge $named $root.Values.attachments.secretEnv -}}
{{- end -}}
{{- $named = merge (deepCopy ($svc.secretEnv | default dict)) $named -}}
{{- if $svc.backend }}
{{ include "lapor.secretEnvVar" (dict "env" "LAPOR_MONGO_URL" "ref" (include "lapor.mongoUrlRef" $root | fromYaml)) }}
{{ include "lapor.secretEnvVar" (dict "env" "LAPOR_AMQP_URL" "ref" (include "lapor.amqpUrlRef" $root | fromYaml)) }}
{{- end }}
{{- range $env, $secret := $named }}
{{- $ref := index $root.Values.secrets $secret | required (printf "secrets.%s (named by %s) is not defined" $secret $env) }}
{{ include "lapor.secretEnvVar" (dict "env" $env "ref" $ref) }}
{{- end }}
{{- end -}}

{{- /*
One notifier process's share of a platform-wide send rate: the notifier's send rates are per
process, and as many processes as its maximum replicas, plus a rolling update's surge (the
Deployment's maxSurge of 25 %, rounded up as Kubernetes does), can send at once.
*/}}
{{- define "lapor.notifierShare" -}}
{{- $svc := .root.Values.services.notifier -}}
{{- $most := ternary $svc.autoscaling.maxReplicas $svc.replicas (and $svc.autoscaling.enabled true) | int -}}
{{- $surge := ceil (mulf $most 0.25) | int -}}
{{- divf .budget (add $most $surge) -}}
{{- end }}
