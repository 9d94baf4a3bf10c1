--
-- PostgreSQL database dump
--

\restrict Lt5juYgG5x1dfCbvX2KB0HHEHmCWsTCwNViLc2KExohRggLUw3Idi8kqkMSoIh1

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: unaccent; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;


--
-- Name: EXTENSION unaccent; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION unaccent IS 'text search dictionary that removes accents';


--
-- Name: bazaar_outbox_notify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.bazaar_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
  BEGIN PERFORM pg_notify('bazaar_outbox', ''); RETURN NULL; END $$;


--
-- Name: bazaar_search; Type: TEXT SEARCH CONFIGURATION; Schema: public; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION public.bazaar_search (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR asciiword WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR word WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR numword WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR hword_numpart WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR hword_part WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR hword_asciipart WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR numhword WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR asciihword WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR hword WITH public.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION public.bazaar_search
    ADD MAPPING FOR uint WITH simple;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: bazaar_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bazaar_migrations (
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    user_id text NOT NULL COLLATE pg_catalog."C",
    key text NOT NULL COLLATE pg_catalog."C",
    request text NOT NULL,
    status integer NOT NULL,
    response text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    CONSTRAINT idempotency_keys_key_check CHECK (((length(key) >= 1) AND (length(key) <= 255)))
);


--
-- Name: issued_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.issued_tokens (
    jti text NOT NULL COLLATE pg_catalog."C",
    subject text NOT NULL COLLATE pg_catalog."C",
    role text NOT NULL,
    issued_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    revoked_at bigint,
    CONSTRAINT issued_tokens_role_check CHECK ((role = ANY (ARRAY['user'::text, 'seller'::text])))
);


--
-- Name: login_failures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_failures (
    account text NOT NULL COLLATE pg_catalog."C",
    client text NOT NULL COLLATE pg_catalog."C",
    failures integer NOT NULL,
    window_start bigint NOT NULL,
    held_until bigint,
    holds integer NOT NULL,
    updated_at bigint NOT NULL,
    CONSTRAINT login_failures_account_check CHECK (((length(account) >= 1) AND (length(account) <= 400))),
    CONSTRAINT login_failures_client_check CHECK (((length(client) >= 1) AND (length(client) <= 100))),
    CONSTRAINT login_failures_failures_check CHECK ((failures >= 0)),
    CONSTRAINT login_failures_holds_check CHECK ((holds >= 0))
);


--
-- Name: order_lines; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.order_lines (
    order_id text NOT NULL COLLATE pg_catalog."C",
    line integer NOT NULL,
    product_id text NOT NULL COLLATE pg_catalog."C",
    seller_id text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    unit_price bigint NOT NULL,
    quantity bigint NOT NULL,
    line_total bigint NOT NULL,
    CONSTRAINT order_lines_check CHECK ((line_total = (unit_price * quantity))),
    CONSTRAINT order_lines_line_check CHECK (((line >= 0) AND (line <= 49))),
    CONSTRAINT order_lines_quantity_check CHECK (((quantity >= 1) AND (quantity <= 999))),
    CONSTRAINT order_lines_unit_price_check CHECK (((unit_price >= 1) AND (unit_price <= 1000000000)))
);


--
-- Name: orders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orders (
    seq bigint NOT NULL,
    id text NOT NULL COLLATE pg_catalog."C",
    user_id text NOT NULL COLLATE pg_catalog."C",
    status text NOT NULL,
    total bigint NOT NULL,
    ship_recipient text NOT NULL,
    ship_phone text NOT NULL,
    ship_postal_code text NOT NULL,
    ship_line1 text NOT NULL,
    ship_line2 text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    paid_at bigint,
    shipped_at bigint,
    delivered_at bigint,
    canceled_at bigint,
    expired_at bigint,
    CONSTRAINT orders_check CHECK ((updated_at >= created_at)),
    CONSTRAINT orders_check1 CHECK ((expires_at > created_at)),
    CONSTRAINT orders_check2 CHECK (((status = 'expired'::text) = (expired_at IS NOT NULL))),
    CONSTRAINT orders_check3 CHECK (((status = 'canceled'::text) = (canceled_at IS NOT NULL))),
    CONSTRAINT orders_check4 CHECK (((status <> ALL (ARRAY['paid'::text, 'canceling'::text])) OR (paid_at IS NOT NULL))),
    CONSTRAINT orders_id_check CHECK ((id ~~ 'ord\_%'::text)),
    CONSTRAINT orders_ship_line1_check CHECK (((length(ship_line1) >= 1) AND (length(ship_line1) <= 200))),
    CONSTRAINT orders_ship_line2_check CHECK (((ship_line2 IS NULL) OR ((length(ship_line2) >= 1) AND (length(ship_line2) <= 200)))),
    CONSTRAINT orders_ship_phone_check CHECK (((length(ship_phone) >= 7) AND (length(ship_phone) <= 20))),
    CONSTRAINT orders_ship_postal_code_check CHECK ((length(ship_postal_code) = 5)),
    CONSTRAINT orders_ship_recipient_check CHECK (((length(ship_recipient) >= 1) AND (length(ship_recipient) <= 50))),
    CONSTRAINT orders_status_check CHECK ((status = ANY (ARRAY['pending_payment'::text, 'paid'::text, 'canceling'::text, 'shipped'::text, 'delivered'::text, 'canceled'::text, 'expired'::text]))),
    CONSTRAINT orders_total_check CHECK ((total >= 1))
);


--
-- Name: orders_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.orders ALTER COLUMN seq ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.orders_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    seq bigint NOT NULL,
    id text NOT NULL COLLATE pg_catalog."C",
    type text NOT NULL,
    subject text NOT NULL,
    event text NOT NULL,
    created_at bigint NOT NULL,
    claimed_until bigint,
    relayed_at bigint
);


--
-- Name: outbox_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.outbox ALTER COLUMN seq ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.outbox_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: payments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payments (
    seq bigint NOT NULL,
    id text NOT NULL COLLATE pg_catalog."C",
    order_id text NOT NULL COLLATE pg_catalog."C",
    user_id text NOT NULL COLLATE pg_catalog."C",
    status text NOT NULL,
    amount bigint NOT NULL,
    tid text NOT NULL,
    state_secret text NOT NULL,
    redirect_pc text NOT NULL,
    redirect_mobile text NOT NULL,
    redirect_app text NOT NULL,
    sandbox boolean NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    ready_expires_at bigint NOT NULL,
    attempted_at bigint,
    aid text,
    method text,
    approved_at bigint,
    canceled_amount bigint DEFAULT 0 NOT NULL,
    canceled_at bigint,
    failure_reason text,
    failure_message text,
    CONSTRAINT payments_amount_check CHECK ((amount >= 1)),
    CONSTRAINT payments_check CHECK ((updated_at >= created_at)),
    CONSTRAINT payments_check1 CHECK ((ready_expires_at > created_at)),
    CONSTRAINT payments_check2 CHECK (((attempted_at IS NOT NULL) = (status = ANY (ARRAY['approving'::text, 'refunding'::text])))),
    CONSTRAINT payments_check3 CHECK (((status <> ALL (ARRAY['completed'::text, 'refunding'::text, 'part_canceled'::text])) OR (approved_at IS NOT NULL))),
    CONSTRAINT payments_check4 CHECK (((canceled_amount >= 0) AND (canceled_amount <= amount))),
    CONSTRAINT payments_id_check CHECK ((id ~~ 'pay\_%'::text)),
    CONSTRAINT payments_state_secret_check CHECK ((length(state_secret) >= 22)),
    CONSTRAINT payments_status_check CHECK ((status = ANY (ARRAY['ready'::text, 'approving'::text, 'completed'::text, 'refunding'::text, 'failed'::text, 'canceled'::text, 'part_canceled'::text]))),
    CONSTRAINT payments_tid_check CHECK (((length(tid) >= 1) AND (length(tid) <= 100)))
);


--
-- Name: payments_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.payments ALTER COLUMN seq ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.payments_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: processed_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.processed_events (
    consumer text NOT NULL COLLATE pg_catalog."C",
    source text NOT NULL COLLATE pg_catalog."C",
    event_id text NOT NULL COLLATE pg_catalog."C",
    processed_at bigint NOT NULL
);


--
-- Name: products; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.products (
    seq bigint NOT NULL,
    id text NOT NULL COLLATE pg_catalog."C",
    seller_id text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL COLLATE pg_catalog."C",
    description text NOT NULL,
    price bigint NOT NULL,
    stock bigint NOT NULL,
    reserved bigint DEFAULT 0 NOT NULL,
    image_url text,
    category text COLLATE pg_catalog."C",
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    deleted_at bigint,
    search tsvector GENERATED ALWAYS AS (to_tsvector('public.bazaar_search'::regconfig, ((name || ' '::text) || description))) STORED,
    CONSTRAINT products_category_check CHECK (((category IS NULL) OR ((length(category) >= 1) AND (length(category) <= 50)))),
    CONSTRAINT products_check CHECK (((reserved >= 0) AND (reserved <= stock))),
    CONSTRAINT products_check1 CHECK ((updated_at >= created_at)),
    CONSTRAINT products_check2 CHECK (((deleted_at IS NULL) OR (deleted_at >= created_at))),
    CONSTRAINT products_description_check CHECK ((length(description) <= 5000)),
    CONSTRAINT products_id_check CHECK ((id ~~ 'prd\_%'::text)),
    CONSTRAINT products_image_url_check CHECK (((image_url IS NULL) OR ((length(image_url) >= 8) AND (length(image_url) <= 2048)))),
    CONSTRAINT products_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT products_price_check CHECK (((price >= 1) AND (price <= 1000000000))),
    CONSTRAINT products_stock_check CHECK (((stock >= 0) AND (stock <= 1000000)))
);


--
-- Name: products_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.products ALTER COLUMN seq ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.products_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: sellers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sellers (
    id text NOT NULL COLLATE pg_catalog."C",
    email text NOT NULL COLLATE pg_catalog."C",
    password_hash text NOT NULL,
    business_name text NOT NULL,
    business_number text NOT NULL COLLATE pg_catalog."C",
    status text DEFAULT 'active'::text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    fulfillment text DEFAULT 'auto'::text NOT NULL,
    CONSTRAINT sellers_business_name_check CHECK (((length(business_name) >= 1) AND (length(business_name) <= 100))),
    CONSTRAINT sellers_business_number_check CHECK ((business_number ~ '^[0-9]{10}$'::text)),
    CONSTRAINT sellers_check CHECK ((updated_at >= created_at)),
    CONSTRAINT sellers_email_check CHECK (((email = lower(email)) AND ((length(email) >= 3) AND (length(email) <= 254)))),
    CONSTRAINT sellers_fulfillment_check CHECK ((fulfillment = ANY (ARRAY['auto'::text, 'manual'::text]))),
    CONSTRAINT sellers_id_check CHECK ((id ~~ 'sel\_%'::text)),
    CONSTRAINT sellers_password_hash_check CHECK ((password_hash ~~ '$%'::text)),
    CONSTRAINT sellers_status_check CHECK ((status = ANY (ARRAY['active'::text, 'inactive'::text, 'blocked'::text])))
);


--
-- Name: shipment_lines; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.shipment_lines (
    shipment_id text NOT NULL COLLATE pg_catalog."C",
    line integer NOT NULL,
    product_id text NOT NULL COLLATE pg_catalog."C",
    quantity bigint NOT NULL,
    CONSTRAINT shipment_lines_line_check CHECK (((line >= 0) AND (line <= 49))),
    CONSTRAINT shipment_lines_quantity_check CHECK (((quantity >= 1) AND (quantity <= 999)))
);


--
-- Name: shipments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.shipments (
    seq bigint NOT NULL,
    id text NOT NULL COLLATE pg_catalog."C",
    order_id text NOT NULL COLLATE pg_catalog."C",
    seller_id text NOT NULL COLLATE pg_catalog."C",
    user_id text NOT NULL COLLATE pg_catalog."C",
    status text NOT NULL,
    carrier text,
    tracking_number text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    started_at bigint,
    arrived_at bigint,
    canceled_at bigint,
    CONSTRAINT shipments_carrier_check CHECK (((carrier IS NULL) OR ((length(carrier) >= 1) AND (length(carrier) <= 50)))),
    CONSTRAINT shipments_check CHECK ((updated_at >= created_at)),
    CONSTRAINT shipments_check1 CHECK (((status = ANY (ARRAY['started'::text, 'arrived'::text])) = ((started_at IS NOT NULL) AND (tracking_number IS NOT NULL)))),
    CONSTRAINT shipments_check2 CHECK (((status = 'arrived'::text) = (arrived_at IS NOT NULL))),
    CONSTRAINT shipments_check3 CHECK (((status = 'canceled'::text) = (canceled_at IS NOT NULL))),
    CONSTRAINT shipments_id_check CHECK ((id ~~ 'shp\_%'::text)),
    CONSTRAINT shipments_status_check CHECK ((status = ANY (ARRAY['ready'::text, 'started'::text, 'arrived'::text, 'canceled'::text]))),
    CONSTRAINT shipments_tracking_number_check CHECK (((tracking_number IS NULL) OR ((length(tracking_number) >= 1) AND (length(tracking_number) <= 100))))
);


--
-- Name: shipments_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.shipments ALTER COLUMN seq ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.shipments_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id text NOT NULL COLLATE pg_catalog."C",
    email text NOT NULL COLLATE pg_catalog."C",
    password_hash text NOT NULL,
    name text,
    phone text,
    ship_recipient text,
    ship_postal_code text,
    ship_line1 text,
    ship_line2 text,
    status text DEFAULT 'active'::text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    password_changed_at bigint NOT NULL,
    CONSTRAINT users_check CHECK ((updated_at >= created_at)),
    CONSTRAINT users_check1 CHECK ((((ship_recipient IS NULL) = (ship_postal_code IS NULL)) AND ((ship_recipient IS NULL) = (ship_line1 IS NULL)) AND ((ship_line2 IS NULL) OR (ship_line1 IS NOT NULL)))),
    CONSTRAINT users_email_check CHECK (((email = lower(email)) AND ((length(email) >= 3) AND (length(email) <= 254)))),
    CONSTRAINT users_id_check CHECK ((id ~~ 'usr\_%'::text)),
    CONSTRAINT users_name_check CHECK (((name IS NULL) OR ((length(name) >= 1) AND (length(name) <= 100)))),
    CONSTRAINT users_password_hash_check CHECK ((password_hash ~~ '$%'::text)),
    CONSTRAINT users_phone_check CHECK (((phone IS NULL) OR ((length(phone) >= 7) AND (length(phone) <= 20)))),
    CONSTRAINT users_status_check CHECK ((status = ANY (ARRAY['active'::text, 'inactive'::text, 'blocked'::text])))
);


--
-- Data for Name: bazaar_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.bazaar_migrations (name, applied_at) FROM stdin;
2026-11-27-shop	2026-12-07 13:09:21.857958+00
\.


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.idempotency_keys (user_id, key, request, status, response, created_at, expires_at) FROM stdin;
usr_01m989z2p8qm56mqdbera41xt2	fixture-order-1	placeOrder {"items":[{"productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":2},{"productId":"prd_01m989z3x97sfkwnk2qzkzkp51","quantity":1}],"shipping":{"line1":"Teheran-ro 152, Gangnam-gu, Seoul","line2":"5F","phone":"010-1234-5678","postalCode":"06236","recipient":"Kim Minji"}}	201	{"canceledAt":null,"createdAt":"2026-12-07T13:09:24.260Z","currency":"KRW","expiredAt":null,"expiresAt":"2026-12-07T13:24:24.260Z","id":"ord_01m989z459x972xfa7qq7htfhc","items":[{"lineTotal":24000,"name":"Cotton towel","productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":2,"sellerId":"sel_01m989z3anketss27986j2q2qb","unitPrice":12000},{"lineTotal":32000,"name":"청송 사과 5kg","productId":"prd_01m989z3x97sfkwnk2qzkzkp51","quantity":1,"sellerId":"sel_01m989z3edmrvs8t7x4a4ecvm2","unitPrice":32000}],"paidAt":null,"payment":null,"shipments":[],"shipping":{"line1":"Teheran-ro 152, Gangnam-gu, Seoul","line2":"5F","phone":"010-1234-5678","postalCode":"06236","recipient":"Kim Minji"},"status":"pending_payment","total":56000,"updatedAt":"2026-12-07T13:09:24.260Z","userId":"usr_01m989z2p8qm56mqdbera41xt2"}	1796648964259	1796735364259
\.


--
-- Data for Name: issued_tokens; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.issued_tokens (jti, subject, role, issued_at, expires_at, revoked_at) FROM stdin;
01m989z2y1mrd3tmrz3q1tdz81	usr_01m989z2p8qm56mqdbera41xt2	user	1796648963000	1796652563000	\N
01m989z33gvway8dwq6bgxex3v	usr_01m989z2s7dxjt3vgfy247wqb0	user	1796648963000	1796652563000	1796648963244
01m989z3m7qx9f56eqv6ndx29q	sel_01m989z3anketss27986j2q2qb	seller	1796648963000	1796652563000	\N
01m989z3r51q6hzq3scv2x943y	sel_01m989z3edmrvs8t7x4a4ecvm2	seller	1796648963000	1796652563000	\N
\.


--
-- Data for Name: login_failures; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.login_failures (account, client, failures, window_start, held_until, holds, updated_at) FROM stdin;
user:quiet@example.com	local	1	1796648963367	\N	0	1796648963367
user:quiet@example.com	*	1	1796648963367	\N	0	1796648963367
\.


--
-- Data for Name: order_lines; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.order_lines (order_id, line, product_id, seller_id, name, unit_price, quantity, line_total) FROM stdin;
ord_01m989z459x972xfa7qq7htfhc	0	prd_01m989z3vhgjnd31tn8yh4wyc4	sel_01m989z3anketss27986j2q2qb	Cotton towel	12000	2	24000
ord_01m989z459x972xfa7qq7htfhc	1	prd_01m989z3x97sfkwnk2qzkzkp51	sel_01m989z3edmrvs8t7x4a4ecvm2	청송 사과 5kg	32000	1	32000
ord_01m989z4d8yenha663ww0rtw2z	0	prd_01m989z3x97sfkwnk2qzkzkp51	sel_01m989z3edmrvs8t7x4a4ecvm2	청송 사과 5kg	32000	2	64000
ord_01m989z4hxd4m4m2amtvzmvh2t	0	prd_01m989z3vhgjnd31tn8yh4wyc4	sel_01m989z3anketss27986j2q2qb	Cotton towel	12000	1	12000
ord_01m989z4p6wkyqbz18w4avj61w	0	prd_01m989z3vhgjnd31tn8yh4wyc4	sel_01m989z3anketss27986j2q2qb	Cotton towel	12000	3	36000
\.


--
-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.orders (seq, id, user_id, status, total, ship_recipient, ship_phone, ship_postal_code, ship_line1, ship_line2, created_at, updated_at, expires_at, paid_at, shipped_at, delivered_at, canceled_at, expired_at) FROM stdin;
1	ord_01m989z459x972xfa7qq7htfhc	usr_01m989z2p8qm56mqdbera41xt2	paid	56000	Kim Minji	010-1234-5678	06236	Teheran-ro 152, Gangnam-gu, Seoul	5F	1796648964260	1796648964453	1796649864260	1796648964453	\N	\N	\N	\N
2	ord_01m989z4d8yenha663ww0rtw2z	usr_01m989z2p8qm56mqdbera41xt2	pending_payment	64000	Kim Minji	010-1234-5678	06236	Teheran-ro 152, Gangnam-gu, Seoul	5F	1796648964515	1796648964515	1796649864515	\N	\N	\N	\N	\N
3	ord_01m989z4hxd4m4m2amtvzmvh2t	usr_01m989z2p8qm56mqdbera41xt2	canceled	12000	Kim Minji	010-1234-5678	06236	Teheran-ro 152, Gangnam-gu, Seoul	5F	1796648964665	1796648964733	1796649864665	\N	\N	\N	1796648964733	\N
4	ord_01m989z4p6wkyqbz18w4avj61w	usr_01m989z2p8qm56mqdbera41xt2	pending_payment	36000	Kim Minji	010-1234-5678	06236	Teheran-ro 152, Gangnam-gu, Seoul	5F	1796648964803	1796648964803	1796649864803	\N	\N	\N	\N	\N
\.


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.outbox (seq, id, type, subject, event, created_at, claimed_until, relayed_at) FROM stdin;
2	evt_01m989z4b7sr3ze6v9qrf918hh	payment.completed	pay_01m989z47g81kg67z5fksvdnjk	{"data":{"amount":56000,"canceledAmount":0,"currency":"KRW","method":"MONEY","orderId":"ord_01m989z459x972xfa7qq7htfhc","paymentId":"pay_01m989z47g81kg67z5fksvdnjk","provider":"kakaopay","sandbox":false,"status":"completed","userId":"usr_01m989z2p8qm56mqdbera41xt2"},"datacontenttype":"application/json","id":"evt_01m989z4b7sr3ze6v9qrf918hh","source":"/bazaar/payments","specversion":"1.0","subject":"pay_01m989z47g81kg67z5fksvdnjk","time":"2026-12-07T13:09:24.453Z","type":"payment.completed"}	1796648964453	1796648994857	1796648964880
3	evt_01m989z4b9k3b1103mqa4vc8h7	order.paid	ord_01m989z459x972xfa7qq7htfhc	{"data":{"currency":"KRW","items":[{"productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":2,"sellerId":"sel_01m989z3anketss27986j2q2qb","unitPrice":12000},{"productId":"prd_01m989z3x97sfkwnk2qzkzkp51","quantity":1,"sellerId":"sel_01m989z3edmrvs8t7x4a4ecvm2","unitPrice":32000}],"orderId":"ord_01m989z459x972xfa7qq7htfhc","status":"paid","total":56000,"userId":"usr_01m989z2p8qm56mqdbera41xt2"},"datacontenttype":"application/json","id":"evt_01m989z4b9k3b1103mqa4vc8h7","source":"/bazaar/orders","specversion":"1.0","subject":"ord_01m989z459x972xfa7qq7htfhc","time":"2026-12-07T13:09:24.453Z","type":"order.paid"}	1796648964453	1796648994857	1796648964880
4	evt_01m989z4da4wex4wq3w761djgf	order.placed	ord_01m989z4d8yenha663ww0rtw2z	{"data":{"currency":"KRW","items":[{"productId":"prd_01m989z3x97sfkwnk2qzkzkp51","quantity":2,"sellerId":"sel_01m989z3edmrvs8t7x4a4ecvm2","unitPrice":32000}],"orderId":"ord_01m989z4d8yenha663ww0rtw2z","status":"pending_payment","total":64000,"userId":"usr_01m989z2p8qm56mqdbera41xt2"},"datacontenttype":"application/json","id":"evt_01m989z4da4wex4wq3w761djgf","source":"/bazaar/orders","specversion":"1.0","subject":"ord_01m989z4d8yenha663ww0rtw2z","time":"2026-12-07T13:09:24.515Z","type":"order.placed"}	1796648964515	1796648994857	1796648964880
5	evt_01m989z4hzwrg640nv91cqschp	order.placed	ord_01m989z4hxd4m4m2amtvzmvh2t	{"data":{"currency":"KRW","items":[{"productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":1,"sellerId":"sel_01m989z3anketss27986j2q2qb","unitPrice":12000}],"orderId":"ord_01m989z4hxd4m4m2amtvzmvh2t","status":"pending_payment","total":12000,"userId":"usr_01m989z2p8qm56mqdbera41xt2"},"datacontenttype":"application/json","id":"evt_01m989z4hzwrg640nv91cqschp","source":"/bazaar/orders","specversion":"1.0","subject":"ord_01m989z4hxd4m4m2amtvzmvh2t","time":"2026-12-07T13:09:24.665Z","type":"order.placed"}	1796648964665	1796648994857	1796648964880
7	evt_01m989z4p8g0dv516bag56bvkx	order.placed	ord_01m989z4p6wkyqbz18w4avj61w	{"data":{"currency":"KRW","items":[{"productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":3,"sellerId":"sel_01m989z3anketss27986j2q2qb","unitPrice":12000}],"orderId":"ord_01m989z4p6wkyqbz18w4avj61w","status":"pending_payment","total":36000,"userId":"usr_01m989z2p8qm56mqdbera41xt2"},"datacontenttype":"application/json","id":"evt_01m989z4p8g0dv516bag56bvkx","source":"/bazaar/orders","specversion":"1.0","subject":"ord_01m989z4p6wkyqbz18w4avj61w","time":"2026-12-07T13:09:24.803Z","type":"order.placed"}	1796648964803	1796648994857	1796648964880
6	evt_01m989z4m2q0qf3fvzapmg1zbq	order.canceled	ord_01m989z4hxd4m4m2amtvzmvh2t	{"data":{"currency":"KRW","items":[{"productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":1,"sellerId":"sel_01m989z3anketss27986j2q2qb","unitPrice":12000}],"orderId":"ord_01m989z4hxd4m4m2amtvzmvh2t","status":"canceled","total":12000,"userId":"usr_01m989z2p8qm56mqdbera41xt2"},"datacontenttype":"application/json","id":"evt_01m989z4m2q0qf3fvzapmg1zbq","source":"/bazaar/orders","specversion":"1.0","subject":"ord_01m989z4hxd4m4m2amtvzmvh2t","time":"2026-12-07T13:09:24.733Z","type":"order.canceled"}	1796648964733	1796648994857	1796648964880
1	evt_01m989z45bcq9tn3qgmv5j6gy9	order.placed	ord_01m989z459x972xfa7qq7htfhc	{"data":{"currency":"KRW","items":[{"productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":2,"sellerId":"sel_01m989z3anketss27986j2q2qb","unitPrice":12000},{"productId":"prd_01m989z3x97sfkwnk2qzkzkp51","quantity":1,"sellerId":"sel_01m989z3edmrvs8t7x4a4ecvm2","unitPrice":32000}],"orderId":"ord_01m989z459x972xfa7qq7htfhc","status":"pending_payment","total":56000,"userId":"usr_01m989z2p8qm56mqdbera41xt2"},"datacontenttype":"application/json","id":"evt_01m989z45bcq9tn3qgmv5j6gy9","source":"/bazaar/orders","specversion":"1.0","subject":"ord_01m989z459x972xfa7qq7htfhc","time":"2026-12-07T13:09:24.260Z","type":"order.placed"}	1796648964260	1796648994857	1796648964880
10	evt_01m989z4s3q7cqxxhfc65pexrt	shipment.dispatched	shp_01m989z4rn6z0jbdpdc8getztk	{"data":{"carrier":"bazaar-post","items":[{"productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":2}],"orderId":"ord_01m989z459x972xfa7qq7htfhc","sellerId":"sel_01m989z3anketss27986j2q2qb","shipmentId":"shp_01m989z4rn6z0jbdpdc8getztk","status":"started","trackingNumber":"BZ01M989Z4S25XCN9A8TZWQJCS31"},"datacontenttype":"application/json","id":"evt_01m989z4s3q7cqxxhfc65pexrt","source":"/bazaar/shipments","specversion":"1.0","subject":"shp_01m989z4rn6z0jbdpdc8getztk","time":"2026-12-07T13:09:24.897Z","type":"shipment.dispatched"}	1796648964897	1796648994903	1796648964905
8	evt_01m989z4rr0d12re5x4tyne7q5	shipment.requested	shp_01m989z4rn6z0jbdpdc8getztk	{"data":{"carrier":null,"items":[{"productId":"prd_01m989z3vhgjnd31tn8yh4wyc4","quantity":2}],"orderId":"ord_01m989z459x972xfa7qq7htfhc","sellerId":"sel_01m989z3anketss27986j2q2qb","shipmentId":"shp_01m989z4rn6z0jbdpdc8getztk","status":"ready","trackingNumber":null},"datacontenttype":"application/json","id":"evt_01m989z4rr0d12re5x4tyne7q5","source":"/bazaar/shipments","specversion":"1.0","subject":"shp_01m989z4rn6z0jbdpdc8getztk","time":"2026-12-07T13:09:24.882Z","type":"shipment.requested"}	1796648964882	1796648994893	1796648964896
9	evt_01m989z4rvpa3t8j7vna0v5q21	shipment.requested	shp_01m989z4rtn7g6hgy4x4eevgay	{"data":{"carrier":null,"items":[{"productId":"prd_01m989z3x97sfkwnk2qzkzkp51","quantity":1}],"orderId":"ord_01m989z459x972xfa7qq7htfhc","sellerId":"sel_01m989z3edmrvs8t7x4a4ecvm2","shipmentId":"shp_01m989z4rtn7g6hgy4x4eevgay","status":"ready","trackingNumber":null},"datacontenttype":"application/json","id":"evt_01m989z4rvpa3t8j7vna0v5q21","source":"/bazaar/shipments","specversion":"1.0","subject":"shp_01m989z4rtn7g6hgy4x4eevgay","time":"2026-12-07T13:09:24.882Z","type":"shipment.requested"}	1796648964882	1796648994893	1796648964896
\.


--
-- Data for Name: payments; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.payments (seq, id, order_id, user_id, status, amount, tid, state_secret, redirect_pc, redirect_mobile, redirect_app, sandbox, created_at, updated_at, ready_expires_at, attempted_at, aid, method, approved_at, canceled_amount, canceled_at, failure_reason, failure_message) FROM stdin;
1	pay_01m989z47g81kg67z5fksvdnjk	ord_01m989z459x972xfa7qq7htfhc	usr_01m989z2p8qm56mqdbera41xt2	completed	56000	T5a3da90fbd21bd3fd93	lQBQzONuFNtExgEqgqdN75XjDC28eDvCfg9sdB79qug	http://127.0.0.1:44283/checkout/T5a3da90fbd21bd3fd93?device=pc	http://127.0.0.1:44283/checkout/T5a3da90fbd21bd3fd93?device=mobile	http://127.0.0.1:44283/checkout/T5a3da90fbd21bd3fd93?device=app	f	1796648964333	1796648964453	1796649864333	\N	A2506991e743891b69b3	MONEY	1796648964453	0	\N	\N	\N
2	pay_01m989z4fedet3nphtzrtbyph1	ord_01m989z4d8yenha663ww0rtw2z	usr_01m989z2p8qm56mqdbera41xt2	ready	64000	T8c7ebd0f9862921e1bb	t2bKjahbfs5-pJYHk1vQhRhavb0wC7qUIoeXjchDRQY	http://127.0.0.1:44283/checkout/T8c7ebd0f9862921e1bb?device=pc	http://127.0.0.1:44283/checkout/T8c7ebd0f9862921e1bb?device=mobile	http://127.0.0.1:44283/checkout/T8c7ebd0f9862921e1bb?device=app	f	1796648964588	1796648964588	1796649864588	\N	\N	\N	\N	0	\N	\N	\N
\.


--
-- Data for Name: processed_events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.processed_events (consumer, source, event_id, processed_at) FROM stdin;
shipments.request	/bazaar/payments	evt_01m989z4b7sr3ze6v9qrf918hh	1796648964882
\.


--
-- Data for Name: products; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.products (seq, id, seller_id, name, description, price, stock, reserved, image_url, category, created_at, updated_at, deleted_at) FROM stdin;
3	prd_01m989z3zkss9dfk2cm0zd83et	sel_01m989z3anketss27986j2q2qb	Old mug	Discontinued	5000	1	0	\N	\N	1796648964083	1796648964138	1796648964138
2	prd_01m989z3x97sfkwnk2qzkzkp51	sel_01m989z3edmrvs8t7x4a4ecvm2	청송 사과 5kg	Crisp apples from Cheongsong	32000	20	3	https://cdn.example/apples.jpg	food	1796648964009	1796648964009	\N
1	prd_01m989z3vhgjnd31tn8yh4wyc4	sel_01m989z3anketss27986j2q2qb	Cotton towel	Soft, 40 × 80 cm	12000	13	3	\N	bath	1796648963953	1796648964204	\N
\.


--
-- Data for Name: sellers; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.sellers (id, email, password_hash, business_name, business_number, status, created_at, updated_at, fulfillment) FROM stdin;
sel_01m989z3anketss27986j2q2qb	shop@example.com	$scrypt$ln=14,r=8,p=1$mfN6sHKAaT0hu+KfKilTMA$IM59Hd9VtcapieKLgAtIldK4RFgysUw6wbfZRgeoBU8	Minji Goods	2208162517	active	1796648963413	1796648963413	auto
sel_01m989z3edmrvs8t7x4a4ecvm2	farm@example.com	$scrypt$ln=14,r=8,p=1$jjIboTNaRaETR8+pc+be8g$HqpmI14QcHE6gZdxdvFiF2J+fAT5i6BNTyZIDtfFdNw	청송 농원	1208147521	active	1796648963533	1796648963902	manual
\.


--
-- Data for Name: shipment_lines; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.shipment_lines (shipment_id, line, product_id, quantity) FROM stdin;
shp_01m989z4rn6z0jbdpdc8getztk	0	prd_01m989z3vhgjnd31tn8yh4wyc4	2
shp_01m989z4rtn7g6hgy4x4eevgay	0	prd_01m989z3x97sfkwnk2qzkzkp51	1
\.


--
-- Data for Name: shipments; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.shipments (seq, id, order_id, seller_id, user_id, status, carrier, tracking_number, created_at, updated_at, started_at, arrived_at, canceled_at) FROM stdin;
2	shp_01m989z4rtn7g6hgy4x4eevgay	ord_01m989z459x972xfa7qq7htfhc	sel_01m989z3edmrvs8t7x4a4ecvm2	usr_01m989z2p8qm56mqdbera41xt2	ready	\N	\N	1796648964882	1796648964882	\N	\N	\N
1	shp_01m989z4rn6z0jbdpdc8getztk	ord_01m989z459x972xfa7qq7htfhc	sel_01m989z3anketss27986j2q2qb	usr_01m989z2p8qm56mqdbera41xt2	started	bazaar-post	BZ01M989Z4S25XCN9A8TZWQJCS31	1796648964882	1796648964897	1796648964897	\N	\N
\.


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.users (id, email, password_hash, name, phone, ship_recipient, ship_postal_code, ship_line1, ship_line2, status, created_at, updated_at, password_changed_at) FROM stdin;
usr_01m989z2s7dxjt3vgfy247wqb0	quiet@example.com	$scrypt$ln=14,r=8,p=1$CqrYUEerZPUtA1nz82X0tQ$qB/Ue1fOL9BphxlXKToxMuQV0+99ZSO/qbXPUOsD8XQ	\N	\N	\N	\N	\N	\N	active	1796648962855	1796648962855	1796648962855
usr_01m989z2p8qm56mqdbera41xt2	buyer@example.com	$scrypt$ln=14,r=8,p=1$gEhQUiiIoIBGRu5KnnR8Hw$3dCHxl/Ui9h/PEwBP5cLFWY7i0Wb0QqWJr2o2b1mO7A	Kim Minji	010-1234-5678	Kim Minji	06236	Teheran-ro 152	\N	active	1796648962760	1796648963068	1796648962760
\.


--
-- Name: orders_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.orders_seq_seq', 4, true);


--
-- Name: outbox_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.outbox_seq_seq', 10, true);


--
-- Name: payments_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.payments_seq_seq', 2, true);


--
-- Name: products_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.products_seq_seq', 3, true);


--
-- Name: shipments_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.shipments_seq_seq', 2, true);


--
-- Name: bazaar_migrations bazaar_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bazaar_migrations
    ADD CONSTRAINT bazaar_migrations_pkey PRIMARY KEY (name);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, key);


--
-- Name: issued_tokens issued_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.issued_tokens
    ADD CONSTRAINT issued_tokens_pkey PRIMARY KEY (jti);


--
-- Name: login_failures login_failures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_failures
    ADD CONSTRAINT login_failures_pkey PRIMARY KEY (account, client);


--
-- Name: order_lines order_lines_order_id_product_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_order_id_product_id_key UNIQUE (order_id, product_id);


--
-- Name: order_lines order_lines_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_pkey PRIMARY KEY (order_id, line);


--
-- Name: orders orders_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_id_key UNIQUE (id);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (seq);


--
-- Name: outbox outbox_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_id_key UNIQUE (id);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (seq);


--
-- Name: payments payments_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_id_key UNIQUE (id);


--
-- Name: payments payments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_pkey PRIMARY KEY (seq);


--
-- Name: processed_events processed_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.processed_events
    ADD CONSTRAINT processed_events_pkey PRIMARY KEY (consumer, source, event_id);


--
-- Name: products products_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_id_key UNIQUE (id);


--
-- Name: products products_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (seq);


--
-- Name: sellers sellers_business_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sellers
    ADD CONSTRAINT sellers_business_number_key UNIQUE (business_number);


--
-- Name: sellers sellers_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sellers
    ADD CONSTRAINT sellers_email_key UNIQUE (email);


--
-- Name: sellers sellers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sellers
    ADD CONSTRAINT sellers_pkey PRIMARY KEY (id);


--
-- Name: shipment_lines shipment_lines_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipment_lines
    ADD CONSTRAINT shipment_lines_pkey PRIMARY KEY (shipment_id, line);


--
-- Name: shipments shipments_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipments
    ADD CONSTRAINT shipments_id_key UNIQUE (id);


--
-- Name: shipments shipments_order_id_seller_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipments
    ADD CONSTRAINT shipments_order_id_seller_id_key UNIQUE (order_id, seller_id);


--
-- Name: shipments shipments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipments
    ADD CONSTRAINT shipments_pkey PRIMARY KEY (seq);


--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: idempotency_by_expiry; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_by_expiry ON public.idempotency_keys USING btree (expires_at);


--
-- Name: issued_tokens_by_expiry; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX issued_tokens_by_expiry ON public.issued_tokens USING btree (expires_at);


--
-- Name: issued_tokens_live_by_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX issued_tokens_live_by_subject ON public.issued_tokens USING btree (subject) WHERE (revoked_at IS NULL);


--
-- Name: login_failures_by_age; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_failures_by_age ON public.login_failures USING btree (updated_at);


--
-- Name: order_lines_by_seller; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX order_lines_by_seller ON public.order_lines USING btree (seller_id, order_id);


--
-- Name: orders_by_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_by_user ON public.orders USING btree (user_id, created_at DESC, id DESC);


--
-- Name: orders_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_due ON public.orders USING btree (expires_at) WHERE (status = 'pending_payment'::text);


--
-- Name: outbox_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_pending ON public.outbox USING btree (seq) WHERE (relayed_at IS NULL);


--
-- Name: payments_by_failure; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_by_failure ON public.payments USING btree (failure_reason) WHERE (failure_reason IS NOT NULL);


--
-- Name: payments_by_order; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_by_order ON public.payments USING btree (order_id, seq);


--
-- Name: payments_open; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX payments_open ON public.payments USING btree (order_id) WHERE (status = ANY (ARRAY['ready'::text, 'approving'::text, 'completed'::text, 'refunding'::text]));


--
-- Name: payments_uncertain; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_uncertain ON public.payments USING btree (attempted_at) WHERE (status = ANY (ARRAY['approving'::text, 'refunding'::text]));


--
-- Name: products_by_category; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX products_by_category ON public.products USING btree (category, created_at DESC, id DESC) WHERE ((deleted_at IS NULL) AND (category IS NOT NULL));


--
-- Name: products_by_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX products_by_name ON public.products USING btree (lower(name), id) WHERE (deleted_at IS NULL);


--
-- Name: products_by_price; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX products_by_price ON public.products USING btree (price, id) WHERE (deleted_at IS NULL);


--
-- Name: products_by_seller; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX products_by_seller ON public.products USING btree (seller_id, created_at DESC, id DESC) WHERE (deleted_at IS NULL);


--
-- Name: products_newest; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX products_newest ON public.products USING btree (created_at DESC, id DESC) WHERE (deleted_at IS NULL);


--
-- Name: products_search; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX products_search ON public.products USING gin (search);


--
-- Name: shipments_by_seller; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX shipments_by_seller ON public.shipments USING btree (seller_id, created_at DESC, id DESC);


--
-- Name: outbox outbox_notify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER outbox_notify AFTER INSERT ON public.outbox FOR EACH STATEMENT EXECUTE FUNCTION public.bazaar_outbox_notify();


--
-- Name: order_lines order_lines_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);


--
-- Name: order_lines order_lines_product_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);


--
-- Name: order_lines order_lines_seller_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES public.sellers(id);


--
-- Name: orders orders_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: payments payments_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);


--
-- Name: payments payments_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: products products_seller_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES public.sellers(id);


--
-- Name: shipment_lines shipment_lines_product_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipment_lines
    ADD CONSTRAINT shipment_lines_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);


--
-- Name: shipment_lines shipment_lines_shipment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipment_lines
    ADD CONSTRAINT shipment_lines_shipment_id_fkey FOREIGN KEY (shipment_id) REFERENCES public.shipments(id);


--
-- Name: shipments shipments_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipments
    ADD CONSTRAINT shipments_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);


--
-- Name: shipments shipments_seller_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipments
    ADD CONSTRAINT shipments_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES public.sellers(id);


--
-- Name: shipments shipments_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shipments
    ADD CONSTRAINT shipments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- PostgreSQL database dump complete
--

\unrestrict Lt5juYgG5x1dfCbvX2KB0HHEHmCWsTCwNViLc2KExohRggLUw3Idi8kqkMSoIh1

