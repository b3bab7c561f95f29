<?php
define('ATTENDEE_BOT', getenv('ATTENDEE_API_KEY'));
$key = $_ENV['MEETSTREAM_API_KEY'];
$headers = ["Authorization: Token $key", 'Authorization: Token ' . ATTENDEE_BOT];
