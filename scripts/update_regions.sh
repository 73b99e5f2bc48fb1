#!/usr/bin/env bash
# Refresh data/regions from the idn-area-data package on the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/update_regions.sh VERSION (e.g. 4.0.1)}
tmp=$(mktemp -d)
(cd "$tmp" && npm pack "idn-area-data@$version" --silent >/dev/null && tar xzf ./*.tgz)
cp "$tmp"/package/data/{provinces,regencies,districts}.csv "$tmp"/package/data/LICENSE.md data/regions/
gzip -9nc "$tmp"/package/data/villages.csv > data/regions/villages.csv.gz
sed -i "s/idn-area-data [0-9.]*/idn-area-data $version/" data/regions/SOURCE.md
rm -rf "$tmp"
echo "data/regions updated to idn-area-data $version"
