"""base-image-unpinned (MLD101): one line per case."""

from helpers import catches, passes

RULE = "base-image-unpinned"


def test_no_tag(tmp_path): catches(tmp_path, RULE, "FROM python\n", line=1)
def test_latest(tmp_path): catches(tmp_path, RULE, "FROM python:latest\n", line=1)
def test_latest_cpu(tmp_path): catches(tmp_path, RULE, "FROM ultralytics/ultralytics:latest-cpu\n", line=1)
def test_latest_gpu_py3(tmp_path): catches(tmp_path, RULE, "FROM tensorflow/tensorflow:latest-gpu-py3\n", line=1)
def test_nightly(tmp_path): catches(tmp_path, RULE, "FROM pytorch/pytorch:nightly\n", line=1)
def test_edge(tmp_path): catches(tmp_path, RULE, "FROM alpine:edge\n", line=1)
def test_stable_slim(tmp_path): catches(tmp_path, RULE, "FROM debian:stable-slim\n", line=1)
def test_lts(tmp_path): catches(tmp_path, RULE, "FROM node:lts-alpine\n", line=1)
def test_main(tmp_path): catches(tmp_path, RULE, "FROM ghcr.io/huggingface/text-generation-inference:main\n", line=1)
def test_master(tmp_path): catches(tmp_path, RULE, "FROM ghcr.io/ggerganov/llama.cpp:master\n", line=1)
def test_dev(tmp_path): catches(tmp_path, RULE, "FROM vllm/vllm-openai:dev\n", line=1)
def test_arg_resolved_floating(tmp_path): catches(tmp_path, RULE, "ARG TAG=nightly\nFROM pytorch/pytorch:${TAG}\n", line=2)
def test_version(tmp_path): passes(tmp_path, RULE, "FROM python:3.11.9-slim\n")
def test_codename(tmp_path): passes(tmp_path, RULE, "FROM ubuntu:jammy-20240911.1\n")
def test_dated_nightly(tmp_path): passes(tmp_path, RULE, "FROM rocm/pytorch-nightly:2024-05-01\n")
def test_versioned_edge(tmp_path): passes(tmp_path, RULE, "FROM ghcr.io/x/y:3.20-edge\n")
def test_word_inside_a_name(tmp_path): passes(tmp_path, RULE, "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\n")
def test_digest(tmp_path): passes(tmp_path, RULE, "FROM python:latest@sha256:" + "a" * 64 + "\n")
def test_stage(tmp_path): passes(tmp_path, RULE, "FROM python:3.11.9-slim AS base\nFROM base\n")


def test_message_names_the_floating_word(tmp_path):
    hit = catches(tmp_path, RULE, "FROM ultralytics/ultralytics:latest-cpu\n", line=1)[0]
    assert "floating tag `latest-cpu`" in hit["message"]
def test_latest_prefix_with_a_toolchain_version(tmp_path): catches(tmp_path, RULE, "FROM lukemathwalker/cargo-chef:latest-rust-1.92-bookworm AS chef\n", line=1)
def test_copy_from_latest_image(tmp_path): catches(tmp_path, RULE, "FROM python:3.11.9-slim\nCOPY --from=ghcr.io/astral-sh/uv:latest /uv /usr/local/bin/uv\n", line=2)
def test_copy_from_untagged_image(tmp_path): catches(tmp_path, RULE, "FROM python:3.11.9-slim\nCOPY --from=ghcr.io/astral-sh/uv /uv /bin/\n", line=2)
def test_copy_from_pinned_image(tmp_path): passes(tmp_path, RULE, "FROM python:3.11.9-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.5.4 /uv /bin/\n")
def test_copy_from_stage(tmp_path): passes(tmp_path, RULE, "FROM python:3.11.9-slim AS b\nFROM python:3.11.9-slim\nCOPY --from=b /x /x\n")
