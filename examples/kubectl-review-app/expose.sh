#!/usr/bin/env bash
# Runs after the rollout, with KUBECONFIG pointing at the cluster: gives the review app its own
# host name, which a static manifest cannot know. Values arrive as variables, never as script text.
# DEPLOY_NAMESPACE is a DNS label (the runner checks it); the ref, chosen by whoever created the
# deployment, is printed only with workflow commands stopped.
set -euo pipefail
host="${DEPLOY_NAMESPACE}.review.example.com"
kubectl create ingress web --namespace "$DEPLOY_NAMESPACE" --rule="${host}/*=web:80" \
  --dry-run=client -o yaml | kubectl apply --namespace "$DEPLOY_NAMESPACE" -f -
stop="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
echo "::stop-commands::${stop}"
echo "Review app for ${DEPLOY_REF} is at https://${host}"
echo "::${stop}::"
