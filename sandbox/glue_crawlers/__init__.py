"""Glue crawlers that run: moto 5.2.5 stores crawler definitions but its crawls never finish and
never read anything, and it has no UpdateCrawler or GetCrawlerMetrics. Here a crawl reads the S3
targets through the gateway, infers tables, partitions and column types as Glue's built-in
classifiers do, and writes them to moto's catalog through the Glue API."""
