#!/usr/bin/env bash
# Runs after the rollout, with KUBECONFIG pointing at the cluster: gives the review app its own
# host name, which a static manifest cannot know. Values arrive as variables, never as script text.
set -euo pipefail
host="${DEPLOY_NAMESPACE}.review.example.com"
kubectl create ingress web --namespace "$DEPLOY_NAMESPACE" --rule="${host}/*=web:80" \
  --dry-run=client -o yaml | kubectl apply --namespace "$DEPLOY_NAMESPACE" -f -
echo "Review app for ${DEPLOY_REF} is at https://${host}"
